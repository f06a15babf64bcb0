import type { DataSource } from 'typeorm';
import { dialectFor } from '../dialect/dialect-for';

const SAMPLES = 3;

/**
 * The remote server's clock minus the local server's clock, in ms, corrected for the round trip:
 * each server's reading is compared with the midpoint of the Node-side request, and the sample with
 * the shortest round trips is kept.
 *
 * @example
 * ```ts
 * const skew = await measureClockSkew(local, remote) // e.g. 3 (remote 3 ms ahead)
 * ```
 */
export async function measureClockSkew(local: DataSource, remote: DataSource): Promise<number> {
  let best: { rtt: number; skew: number } | undefined;
  for (let i = 0; i < SAMPLES; i++) {
    const l = await serverOffset(local);
    const r = await serverOffset(remote);
    const sample = { rtt: l.rtt + r.rtt, skew: r.offset - l.offset };
    if (best === undefined || sample.rtt < best.rtt) best = sample;
  }
  return Math.round((best as { skew: number }).skew);
}

/**
 * The server's clock (UTC epoch ms) as the database sees it.
 *
 * @example
 * ```ts
 * const atMs = await serverNowMs(remote)
 * ```
 */
export async function serverNowMs(dataSource: DataSource): Promise<number> {
  const rows = (await dataSource.query(`SELECT ${dialectFor(dataSource).nowMsSql} AS now_ms`)) as {
    now_ms: unknown;
  }[];
  return Number(rows[0]?.now_ms);
}

async function serverOffset(dataSource: DataSource): Promise<{ offset: number; rtt: number }> {
  const before = performance.timeOrigin + performance.now();
  const server = await serverNowMs(dataSource);
  const after = performance.timeOrigin + performance.now();
  return { offset: server - (before + after) / 2, rtt: after - before };
}

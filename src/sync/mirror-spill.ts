import { closeSync, mkdtempSync, openSync, rmSync, writeSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyPair } from './id-map-store';

/** Pairs kept in memory before they move to the spill file. */
const SPILL_THRESHOLD = 5_000;
/** Pairs per entity handed back at a time while draining. */
const DRAIN_CHUNK = 5_000;

/**
 * @internal Id-map pairs waiting for the remote commit before they are mirrored locally. Past
 * {@link SPILL_THRESHOLD} they move to a temporary file (one JSON line per pair), so a run's memory
 * does not grow with the number of objects it sends. Losing the file (a crash) only loses mirror
 * rows, which the id-map lookup tolerates.
 */
export class MirrorSpill {
  constructor(private readonly threshold = SPILL_THRESHOLD) {}

  private dir: string | undefined;
  private fd: number | undefined;

  /** Moves the pairs of `mirror` to the file when there are enough of them (between batches only). */
  maybeSpill(mirror: Map<string, KeyPair[]>): void {
    let count = 0;
    for (const pairs of mirror.values()) count += pairs.length;
    if (count < this.threshold) return;
    const lines: string[] = [];
    for (const [entity, pairs] of mirror) {
      for (const pair of pairs) lines.push(JSON.stringify([entity, pair.localKey, pair.remoteKey]));
    }
    mirror.clear();
    writeSync(this.open(), `${lines.join('\n')}\n`);
  }

  /** Hands back every spilled pair, per entity in chunks, then empties the file. */
  async drain(write: (entity: string, pairs: KeyPair[]) => Promise<void>): Promise<void> {
    if (this.fd === undefined || this.dir === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    const pending = new Map<string, KeyPair[]>();
    const lines = createInterface({ input: createReadStream(join(this.dir, 'mirror.ndjson')) });
    for await (const line of lines) {
      if (line === '') continue;
      const [entity, localKey, remoteKey] = JSON.parse(line) as [string, string, string];
      const list = pending.get(entity) ?? [];
      list.push({ localKey, remoteKey });
      pending.set(entity, list);
      if (list.length >= DRAIN_CHUNK) {
        pending.delete(entity);
        await write(entity, list);
      }
    }
    for (const [entity, list] of pending) await write(entity, list);
    this.dispose();
  }

  /** Whether pairs are waiting in the file. */
  get hasSpilled(): boolean {
    return this.fd !== undefined;
  }

  /** Deletes the file (idempotent). */
  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    this.dir = mkdtempSync(join(tmpdir(), 'synchro-mirror-'));
    this.fd = openSync(join(this.dir, 'mirror.ndjson'), 'a', 0o600);
    return this.fd;
  }
}

import { Presets, SingleBar } from 'cli-progress';
import type { SyncProgress } from '../src/index';
import type { Output } from './output';

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
export function progressReporter(output: Output): { onProgress?: (p: SyncProgress) => void; stop(): void } {
  if (!output.isTTY) return { stop: () => undefined };
  const bar = new SingleBar(
    {
      stream: output.stderr,
      format: '{phase} {entity} |{bar}| {value}/{total} objects | {rate}/s',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    onProgress: (p) => {
      const payload = { phase: p.phase, entity: p.entity ?? '', rate: rate(p.done, started) };
      if (!running) {
        bar.start(p.total, p.done, payload);
        running = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, payload);
      }
    },
    stop: () => {
      if (running) bar.stop();
    },
  };
}

function rate(done: number, started: number): string {
  const seconds = (Date.now() - started) / 1000;
  return seconds > 0 ? String(Math.round(done / seconds)) : '0';
}

import '../reliability/support/tz';
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachPair } from '../support/describe-dialects';
import { crashSuite, type CrashCounts } from '../reliability/support/crash-suite';
import { seedOf } from '../reliability/support/model-suite';

/**
 * Soak, part 2 (`npm run soak`): per pair, SOAK_KILLS_PER_PAIR (50) SIGKILLs, half per commit mode, at random moments of a child's sync, each followed by a clean re-run. Prints the counts and
 * writes them to test-output/soak-crash.json.
 */
const KILLS = Number(process.env.SOAK_KILLS_PER_PAIR ?? 50);
const SEED = seedOf(Date.now() % 2 ** 31);

const report: { crash: CrashCounts[]; startedAt: string } = {
  crash: [],
  startedAt: new Date().toISOString(),
};

function write(): void {
  const dir = join(__dirname, '..', '..', 'test-output');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak-crash.json'), `${JSON.stringify(report, null, 2)}\n`);
}

describeEachPair('soak: crash safety', (pair) => {
  crashSuite(pair, { rows: 40, killsPerPair: KILLS, seed: SEED }, (counts) => {
    report.crash.push(counts);
    write();
    process.stdout.write(`soak crash ${JSON.stringify(counts)}\n`);
  });
});

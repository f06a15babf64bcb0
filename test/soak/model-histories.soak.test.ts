import '../reliability/support/tz';
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachPair } from '../support/describe-dialects';
import {
  openReliabilityPair,
  runModelHistories,
  seedOf,
  type ModelRunCounts,
} from '../reliability/support/model-suite';

/**
 * Soak, part 1 (`npm run soak`): per pair, up to SOAK_HISTORIES (1000) model-based histories of up to
 * 20 steps, stopping after SOAK_MINUTES_PER_PAIR (8) minutes. Prints the counts and writes them to
 * test-output/soak-model.json.
 */
const HISTORIES = Number(process.env.SOAK_HISTORIES ?? 1000);
const MINUTES = Number(process.env.SOAK_MINUTES_PER_PAIR ?? 8);
const SEED = seedOf(Date.now() % 2 ** 31);

const report: { model: ModelRunCounts[]; startedAt: string } = {
  model: [],
  startedAt: new Date().toISOString(),
};

function write(): void {
  const dir = join(__dirname, '..', '..', 'test-output');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'soak-model.json'), `${JSON.stringify(report, null, 2)}\n`);
}

describeEachPair('soak: model-based random histories', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
  });
  afterAll(async () => db?.close());

  it(
    `up to ${HISTORIES} histories or ${MINUTES} minutes, every sync matching the model`,
    async () => {
      const counts = await runModelHistories(db.ds, pair, SEED, {
        histories: HISTORIES,
        maxSteps: 20,
        timeLimitMs: MINUTES * 60_000,
      });
      report.model.push(counts);
      write();
      process.stdout.write(`soak model ${JSON.stringify(counts)}\n`);
      if (counts.failure !== undefined) throw new Error(counts.failure);
      expect(counts.histories).toBeGreaterThan(0);
    },
    (MINUTES + 30) * 60_000,
  );
});

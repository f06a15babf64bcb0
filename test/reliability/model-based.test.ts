import './support/tz';
import 'reflect-metadata';
import { describeEachPair } from '../support/describe-dialects';
import { runModelHistories, openReliabilityPair, seedOf } from './support/model-suite';
import { RELIABILITY_TZ, RELIABILITY_TZ_OFFSET } from './support/tz';

const SEED = seedOf(20261128);
/** `RELIABILITY_HISTORIES` raises the count, e.g. to reach a soak failure's history index. */
const HISTORIES = Number(process.env.RELIABILITY_HISTORIES ?? 50);

it(`runs with the Node process in ${RELIABILITY_TZ}`, () => {
  expect(process.env.TZ).toBe(RELIABILITY_TZ);
  expect(new Date(2024, 0, 15).getTimezoneOffset()).toBe(RELIABILITY_TZ_OFFSET);
});

describeEachPair('model-based random histories', (pair) => {
  let db: Awaited<ReturnType<typeof openReliabilityPair>>;
  beforeAll(async () => {
    db = await openReliabilityPair(pair);
  });
  afterAll(async () => db?.close());

  it(`${HISTORIES} histories of up to 20 steps match the model after every sync, in both databases`, async () => {
    const counts = await runModelHistories(db.ds, pair, SEED, { histories: HISTORIES, maxSteps: 20 });
    process.stdout.write(`model-based ${JSON.stringify(counts)}\n`);
    if (counts.failure !== undefined) throw new Error(counts.failure);
    expect(counts.histories).toBeGreaterThanOrEqual(HISTORIES);
    expect(counts.syncs).toBeGreaterThanOrEqual(HISTORIES);
  }, 600_000);
});

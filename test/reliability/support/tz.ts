import { runInThisContext } from 'node:vm';

/** The non-UTC zone the reliability suites run in: +05:45, no DST, far from both UTC and the US zones. */
export const RELIABILITY_TZ = 'Asia/Kathmandu';
/** Its offset as `Date#getTimezoneOffset` reports it. */
export const RELIABILITY_TZ_OFFSET = -345;

// Jest hands each test file a copy of `process`; Node's clock follows only the real process's TZ.
// Import this module first in a test file, before anything that creates dates.
const realProcess = runInThisContext('process') as NodeJS.Process;
realProcess.env.TZ = RELIABILITY_TZ;
process.env.TZ = RELIABILITY_TZ;

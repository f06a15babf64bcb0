import { runInThisContext } from 'node:vm';

// Jest hands each test file a copy of `process`; Node's clock follows only the real process's TZ,
// which code compiled in the main context sees. The first test of the suite checks that it took effect.
const realProcess = runInThisContext('process') as NodeJS.Process;
realProcess.env.TZ = 'Europe/Warsaw';
process.env.TZ = 'Europe/Warsaw';

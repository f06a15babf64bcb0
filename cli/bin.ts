#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli';
import { processOutput } from './output';

// The only place in typeorm-synchro that ends the process.
runCli(process.argv.slice(2), processOutput()).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`error: ${String(error)}\n`);
    process.exit(1);
  },
);

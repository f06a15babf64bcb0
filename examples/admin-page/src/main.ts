import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startAdminExample } from './example-server';

async function main(): Promise<void> {
  const dataDir = join(__dirname, '..', 'data');
  mkdirSync(dataDir, { recursive: true });
  const example = await startAdminExample({ dataDir, port: Number(process.env.PORT ?? 3000) });
  console.log(`Admin page example: ${example.url}/  (password: demo)`);
  const stop = () => void example.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataSourceLoadError } from '../src/index';

// `Function` keeps `import()` a real dynamic import after compilation to CommonJS (as TypeORM's CLI does).
const dynamicImport = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<unknown>;

const TS_LOADERS = ['ts-node', '@swc-node/register'] as const;
let tsLoaderRegistered = false;

/** Loads a JavaScript or TypeScript module file by absolute path. */
export async function loadModule(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) {
    throw new DataSourceLoadError(
      file,
      'file not found',
      'check the path (it is resolved from the current directory)',
    );
  }
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts')
    return (await dynamicImport(pathToFileURL(file).href)) as Record<string, unknown>;
  if (ext === '.ts' || ext === '.cts') registerTypeScriptLoader(file);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the user's own file or loader by path
    return require(file) as Record<string, unknown>;
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_REQUIRE_ESM' ||
      (error as { code?: string }).code === 'ERR_REQUIRE_ASYNC_MODULE'
    ) {
      return (await dynamicImport(pathToFileURL(file).href)) as Record<string, unknown>;
    }
    throw new DataSourceLoadError(
      file,
      `could not be loaded: ${(error as Error).message}`,
      'fix the error in that file',
      error,
    );
  }
}

function registerTypeScriptLoader(file: string): void {
  if (tsLoaderRegistered) return;
  const loader = TS_LOADERS.find((name) => canResolve(name, file));
  if (loader === undefined) {
    throw new DataSourceLoadError(
      file,
      'a .ts file needs a TypeScript loader that emits decorator metadata, and none is installed',
      'npm install --save-dev ts-node (or @swc-node/register); tsx/esbuild emit no decorator metadata, so TypeORM cannot infer column types',
    );
  }
  checkTypeScriptMajor(loader, file);
  try {
    if (loader === 'ts-node') registerTsNode(file);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the user's own file or loader by path
    else require(require.resolve('@swc-node/register', { paths: [file, process.cwd()] }));
  } catch (error) {
    throw new DataSourceLoadError(
      file,
      `the TypeScript loader ${loader} failed to start: ${(error as Error).message}`,
      'check that it and `typescript` are installed in this project (TypeScript 4 or 5)',
      error,
    );
  }
  tsLoaderRegistered = true;
}

/**
 * ts-node and @swc-node/register drive TypeScript's JavaScript API, which TypeScript 7 (the native
 * compiler, `npm install typescript` since 7.0) no longer has: they fail with an unrelated message.
 */
function checkTypeScriptMajor(loader: string, file: string): void {
  const version = installedVersion('typescript', file);
  if (version === undefined || Number(version.split('.')[0]) < 7) return;
  throw new DataSourceLoadError(
    file,
    `${loader} cannot load .ts files with TypeScript ${version}, which has no JavaScript API`,
    'npm install --save-dev typescript@5 (ts-node and @swc-node/register need it), or pass the compiled .js file',
  );
}

function installedVersion(name: string, file: string): string | undefined {
  try {
    const manifest = require.resolve(`${name}/package.json`, { paths: [file, process.cwd()] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- reading an installed package's manifest
    return (require(manifest) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function registerTsNode(file: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the user's own file or loader by path
  const tsNode = require(require.resolve('ts-node', { paths: [file, process.cwd()] })) as {
    register(options: object): void;
  };
  tsNode.register({
    transpileOnly: true,
    compilerOptions: {
      module: 'commonjs',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    },
  });
}

function canResolve(name: string, file: string): boolean {
  try {
    require.resolve(name, { paths: [file, process.cwd()] });
    return true;
  } catch {
    return false;
  }
}

// Builds dist/: flipgate's own code bundled (ESM, code-split so each command loads only what it needs),
// its dependencies left to npm (they are installed beside it), the declarations the `types` field names,
// and the demo's key.

import { execFile } from 'node:child_process';
import { copyFile, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

// A build starts from nothing: chunk names carry hashes, and a stale chunk would otherwise be packed.
await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  // Every package is imported from node_modules: a dependency is installed, never also copied into dist/.
  packages: 'external',
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  define: { FLIPGATE_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
await copyFile('src/demo/backup-key.asc', 'dist/backup-key.asc');

// TypeScript 7 (the native compiler) emits declarations; it type-checks on the way, so a type error fails the build.
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
try {
  await promisify(execFile)(process.execPath, [tsc, '-p', '.', '--noEmit', 'false', '--emitDeclarationOnly', '--outDir', 'dist/types']);
} catch (e) {
  process.stderr.write(`build: tsc could not emit the declarations:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  process.exit(1);
}

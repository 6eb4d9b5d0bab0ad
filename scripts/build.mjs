// Bundles the CLI and the library into dist/ (ESM, code-split so each command loads only what it needs).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
await mkdir('dist', { recursive: true });
await build({
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  // PGlite and Graphviz load their WASM next to their own files; playwright drives a browser.
  external: ['@electric-sql/pglite', '@electric-sql/pglite-socket', '@hpcc-js/wasm-graphviz', 'playwright-core', 'pg-native'],
  define: { FLIPGATE_VERSION: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __flipgateRequire } from 'node:module'; const require = __flipgateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await copyFile('src/demo/backup-key.asc', 'dist/backup-key.asc');

// Bundles the CLI and the library into dist/ (ESM, code-split so each command loads only what it needs).
import { build } from 'esbuild';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * pg decides at load time whether it runs on Cloudflare by constructing a `Response`, and on Node 20
 * that first touch of `Response` loads all of undici (~20 ms). flipgate runs on Node only: give pg's
 * stream module a `navigator` that says so, and it never asks.
 */
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => ({
      contents: `const navigator = { userAgent: 'Node.js' };\n${await readFile(args.path, 'utf8')}`,
      loader: 'js',
    }));
  },
};

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
  // PGlite, Graphviz and libpg-query load their WASM next to their own files; playwright drives a browser.
  external: ['@electric-sql/pglite', '@electric-sql/pglite-socket', '@hpcc-js/wasm-graphviz', 'libpg-query', 'playwright-core', 'pg-native'],
  plugins: [pgOnNode],
  // FLIPGATE_BUILD changes with every build, so caches written by one build are never read by another.
  define: { FLIPGATE_VERSION: JSON.stringify(pkg.version), FLIPGATE_BUILD: JSON.stringify(`${pkg.version}+${Date.now().toString(36)}.${randomBytes(3).toString('hex')}`) },
  banner: { js: "import { createRequire as __flipgateRequire } from 'node:module'; const require = __flipgateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await copyFile('src/demo/backup-key.asc', 'dist/backup-key.asc');

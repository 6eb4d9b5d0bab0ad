import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { embeddedPostgresPackages } from '../../src/demo/embedded-pg.js';

// The package as a user gets it: `npm pack`, installed from the tarball into an empty project (from the
// npm cache where it can), then used through `npx flipgate` and from a strict TypeScript program.

const repo = path.resolve('.');
const pkg = JSON.parse(await readFile('package.json', 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The caller's environment without what `npm test` adds for its own package (npm_config_local_prefix
 * would send `npm install` back into this repository), keeping how npm reaches its registry and cache.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|cafile|userconfig|globalconfig|strict_ssl|proxy|https_proxy|noproxy)$/i;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
  delete env.INIT_CWD;
  delete env.NODE_ENV;
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 180_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...cleanEnv(), ...env }, timeout, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const said = (what: string, r: Run) =>
  `${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'];
/** `npx flipgate …` as a user types it (--no-install: never fetch a package of that name from the registry). */
const npx = (project: string, args: string[]) => run('npx', ['--no-install', 'flipgate', ...args], project);
/** The same bin without npm's own start-up, for the steps that are not about npx. */
const bin = (project: string, args: string[]) =>
  run(process.execPath, [path.join(project, 'node_modules', '.bin', 'flipgate'), ...args], project);

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

/** dist/ must be built from the sources as they are: a stale build would test old code. */
async function assertFreshBuild(): Promise<void> {
  const built = await stat('dist/cli.js').catch(() => undefined);
  if (
    !built ||
    !(await access('dist/types/index.d.ts').then(
      () => true,
      () => false,
    ))
  ) {
    throw new Error(
      'dist/ is not built (dist/cli.js or dist/types/index.d.ts missing): run npm run build (npm test does) before this test',
    );
  }
  const newest = Math.max(...(await Promise.all((await files('src')).map(async (f) => (await stat(f)).mtimeMs))));
  if (newest > built.mtimeMs) throw new Error('dist/ is older than src/: run npm run build (npm test does) before this test');
}

/** A program a TypeScript user might write against the library, type-checked strictly, library declarations included. */
const consumer = `import { advanceWorkflow, buildMachine, loadWorkflow, openSession, openStore, reporters, runSurvey, verifyLedger } from 'flipgate';
import type { Check, ConfigError, LedgerEvent, StatusReport, Workflow } from 'flipgate';

const workflow = await loadWorkflow('node_modules/flipgate/machines/o8-production-readiness.yaml');
const spec: Workflow = workflow.spec;
const kinds: Check['kind'][] = spec.gaps.flatMap((g) => g.checks.map((c) => c.kind));
const store = await openStore('state/o8.json', spec.id);
const session = openSession({ workflow, store, actor: 'ci', root: '/', concurrency: 8 });
try {
  const { report }: { report: StatusReport } = await runSurvey(session);
  if (report.ready) await advanceWorkflow(session);
  const xml: string = reporters.junit(report, { color: false, sections: true, width: 100 });
  const events: LedgerEvent[] = await store.readEvents();
  const intact: boolean = verifyLedger(events, { workflow: spec.id }).ok;
  console.log(xml.length, intact, kinds.length, buildMachine(spec).machine.id);
} catch (e) {
  console.error((e as ConfigError).message);
} finally {
  await session.close();
}
`;

async function compileConsumer(project: string): Promise<Run> {
  await writeFile(path.join(project, 'consumer.ts'), consumer);
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    noEmit: true,
  };
  await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }, null, 2));
  return run(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], project);
}

const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

describe('the packed package, installed into an empty project', () => {
  let work: string;
  let project: string;
  let installed: string;
  /** The consumer's type check, started once the install is done so it runs beside the CLI tests. */
  let compiled: Promise<Run>;

  beforeAll(async () => {
    await assertFreshBuild();
    work = await mkdtemp(path.join(tmpdir(), 'flipgate-packed-'));
    // prepack would rebuild dist/ while other test files use it: this packs the build npm test made.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo);
    if (packed.code !== 0) throw new Error(said('npm pack', packed));
    const tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    project = path.join(work, 'project');
    await mkdir(project);
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
    // @types/node as a TypeScript user has it, pinned so npm need not fetch a newer one for @types/pg's "*".
    const install = await run('npm', [...npmInstall, tarball, `@types/node@${pkg.devDependencies['@types/node']}`], project);
    if (install.code !== 0)
      throw new Error(
        `${said('npm install of the packed tarball', install)}\n(the suite installs from the npm cache where it can: run npm ci first)`,
      );
    installed = path.join(project, 'node_modules', 'flipgate');
    compiled = compileConsumer(project);
  }, 300_000);

  afterAll(async () => {
    await compiled;
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs its dependencies rather than bundling them, and leaves the embedded Postgres out', async () => {
    const dist = (await files(path.join(installed, 'dist'))).filter((f) => f.endsWith('.js'));
    const imported = new Set<string>();
    for (const f of dist) {
      const text = await readFile(f, 'utf8');
      expect(text, `${path.relative(installed, f)} holds a bundled copy of a package`).not.toMatch(/^\/\/ node_modules\//m);
      // Static imports and re-exports (one per line in esbuild's output) and dynamic import() of a bare name.
      for (const m of text.matchAll(/(?:^(?:import|export)\b[^;]*?\bfrom\s*|\bimport\s*\(\s*)["']([@\w][\w@./:-]*)["']/gm))
        imported.add(packageOf(m[1]!));
    }
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const undeclared = [...imported].filter(
      (p) => !p.startsWith('node:') && !builtinModules.includes(p) && !declared.has(p) && p !== 'pg-native',
    );
    expect(undeclared, 'dist/ imports packages that package.json does not declare').toEqual([]);
    expect([...imported]).toEqual(expect.arrayContaining(['zod', 'xstate', 'yaml', 'pg', '@electric-sql/pglite']));
    await expect(
      access(path.join(project, 'node_modules', '@electric-sql', 'pglite')),
      'PGlite was installed by default',
    ).rejects.toThrow();
    expect(embeddedPostgresPackages).toEqual(Object.entries(pkg.peerDependencies).map(([name, v]) => `${name}@${v}`));
  });

  it('runs npx flipgate --help', async () => {
    const r = await npx(project, ['--help']);
    expect(r.code, said('npx flipgate --help', r)).toBe(0);
    expect(r.stdout).toContain('Usage: flipgate');
    expect(r.stdout).toMatch(/^\s+init \[options\] \[id\]/m);
  });

  it('runs npx flipgate validate on the bundled workflow', async () => {
    const r = await npx(project, ['validate', 'node_modules/flipgate/machines/o8-production-readiness.yaml']);
    expect(r.code, said('npx flipgate validate', r)).toBe(0);
    expect(r.stdout).toMatch(/valid — workflow o8-production-readiness: 6 gates, 9 GAPs/);
  });

  it('runs flipgate init, whose $schema line reaches the installed schema, and validates what it wrote', async () => {
    const r = await bin(project, ['init', 'shop']);
    expect(r.code, said('npx flipgate init', r)).toBe(0);
    expect(r.stderr).toBe('');
    const file = path.join(project, 'machines', 'shop.yaml');
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/flipgate/schema/workflow.schema.json');
    const schema = JSON.parse(
      await readFile(path.resolve(path.dirname(file), '../node_modules/flipgate/schema/workflow.schema.json'), 'utf8'),
    );
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
    const v = await bin(project, ['validate', 'machines/shop.yaml']);
    expect(v.code, said('npx flipgate validate machines/shop.yaml', v)).toBe(0);
  });

  it('says how to install the embedded Postgres when the demo needs it, exit 2', async () => {
    const r = await bin(project, ['demo']);
    expect(r.code, said('flipgate demo without PGlite', r)).toBe(2);
    expect(r.stderr).toContain(`the embedded Postgres (PGlite) is not installed`);
    expect(r.stderr).toContain(`npm install ${embeddedPostgresPackages.join(' ')}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('runs npx flipgate demo to the end once the embedded Postgres is installed', async (ctx) => {
    if ((await run('gpg', ['--version'], project)).code !== 0) ctx.skip(); // the demo needs gpg; CI installs it
    await compiled; // npm is about to change node_modules/, which tsc may still be reading
    const add = await run('npm', [...npmInstall, ...embeddedPostgresPackages], project);
    expect(add.code, said('npm install of the embedded Postgres', add)).toBe(0);
    const r = await npx(project, ['demo']);
    expect(r.code, said('npx flipgate demo', r)).toBe(0);
    expect(r.stdout).toMatch(/GAP-8\s+Harmless target document selected\s+❌ OPEN\/BLOCKED/);
    expect(r.stdout).toMatch(/Ledger: \d+ events, hash chain verifies/);
  }, 180_000);

  it('compiles a strict TypeScript consumer against its declarations, library checks included', async () => {
    const types = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')).types as string;
    await access(path.join(installed, types));
    const r = await compiled;
    expect(r.code, said('tsc on a strict consumer of the installed package', r)).toBe(0);
  });
});

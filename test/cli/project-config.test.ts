import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProjectConfig } from '../../src/cli/config.js';
import { flipgate } from '../support/cli.js';
import { O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

/** The environment without any FLIPGATE_* setting of the caller's, so that only the test's own apply. */
const clean = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('FLIPGATE_')));

describe('a project with flipgate.config.yaml', () => {
  let fx: SeedFixture;
  let project: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    fx = await setupSeedHost();
    project = await mkdtemp(path.join(tmpdir(), 'fg-project-'));
    await mkdir(path.join(project, 'machines'));
    await mkdir(path.join(project, 'ops', 'notes'), { recursive: true });
    await copyFile(O8, path.join(project, 'machines', 'o8.yaml'));
    // Relative paths are relative to the config file, wherever the command runs from.
    await writeFile(
      path.join(project, 'flipgate.config.yaml'),
      `workflow: machines/o8.yaml\nstore: state/o8.json\nroot: ${fx.root}\nas: ops\n`,
    );
    env = clean(fx.env);
  });
  afterEach(async () => {
    await fx.cleanup();
    await rm(project, { recursive: true, force: true });
  });

  it('drives survey → advance → status → audit from a subfolder with no option repeated', async () => {
    const cwd = path.join(project, 'ops', 'notes');
    const run = (args: string[]) => flipgate(args, { env, cwd });
    const survey = await run(['survey']);
    expect(survey.stderr).toBe('');
    expect(survey.code).toBe(1);
    expect(survey.stdout).toMatch(/GAP-3\s+BACKUP_GPG_FPR provisioned\s+❌ OPEN/);
    await access(path.join(project, 'state', 'o8.json'));

    expect((await run(['advance'])).stdout).toMatch(/✓ G1 passed → G2/);
    for (const g of ['GAP-3', 'GAP-5', 'GAP-6', 'GAP-9'] as const) await fx.host.provision(g);
    for (const [gap, who] of [
      ['GAP-4', 'dq4-board'],
      ['GAP-8', 'release-manager'],
      ['GAP-7', 'alice'],
    ]) {
      expect((await run(['approve', gap!, '--as', who!])).code).toBe(0);
    }
    const approved = await run(['approve', 'GAP-7', '--as', 'bob', '--json']);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      schemaVersion: 1,
      message: expect.stringContaining('bob'),
      events: [expect.any(Number)],
    });
    let advance = await run(['advance']);
    for (let i = 0; advance.code === 0 && !/armed/.test(advance.stdout) && i < 8; i++) advance = await run(['advance']);
    expect(advance.stdout).toMatch(/armed/);

    const status = await run(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/State: armed/);
    const watch = await run(['watch', '--once', '--json']);
    expect(watch.code).toBe(0);
    expect(JSON.parse(watch.stdout)).toMatchObject({ schemaVersion: 1, state: 'armed', reopened: [] });
    const audit = await run(['audit', '--json']);
    expect(audit.code).toBe(0);
    const body = JSON.parse(audit.stdout);
    expect(body.schemaVersion).toBe(1);
    expect(body.verification.ok).toBe(true);
    const actors = new Set(body.timeline.map((t: { actor: string }) => t.actor));
    expect([...actors].sort()).toEqual(['alice', 'bob', 'dq4-board', 'ops', 'release-manager']);
  });

  it('takes flags over FLIPGATE_* over the config file', async () => {
    const where = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const r = await flipgate(['audit', 'verify', '--json', ...args], { env: { ...env, ...extra }, cwd: project });
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout).store as string;
    };
    expect(await where([])).toBe(path.join(project, 'state', 'o8.json'));
    expect(await where([], { FLIPGATE_STORE: path.join(project, 'env.json') })).toBe(path.join(project, 'env.json'));
    expect(await where(['--store', path.join(project, 'flag.json')], { FLIPGATE_STORE: path.join(project, 'env.json') })).toBe(
      path.join(project, 'flag.json'),
    );
  });

  it('takes FLIPGATE_ROOT over the config file, and --root over both', async () => {
    await writeFile(path.join(project, 'flipgate.config.yaml'), `workflow: machines/o8.yaml\nstore: state/o8.json\nroot: no-such-host\n`);
    const bad = await flipgate(['survey'], { env, cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(path.join(project, 'no-such-host'));
    expect((await flipgate(['survey'], { env: { ...env, FLIPGATE_ROOT: fx.root }, cwd: project })).code).toBe(1);
    expect((await flipgate(['survey', '--root', fx.root], { env: { ...env, FLIPGATE_ROOT: '/nowhere' }, cwd: project })).code).toBe(1);
  });

  it('finds machines/ and state/ beside the config file when it names neither', async () => {
    await writeFile(path.join(project, 'flipgate.config.yaml'), `as: ops\n`);
    const r = await flipgate(['audit', 'verify', '--json'], { env, cwd: path.join(project, 'ops', 'notes') });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ store: path.join(project, 'state', 'o8-production-readiness.json'), ok: true });
  });

  it('reads --config FILE (and FLIPGATE_CONFIG) instead of searching', async () => {
    const other = path.join(project, 'ops', 'other.yaml');
    await writeFile(other, `workflow: ../machines/o8.yaml\nstore: ../elsewhere.json\n`);
    const byFlag = await flipgate(['audit', 'verify', '--json', '--config', other], { env, cwd: project });
    expect(JSON.parse(byFlag.stdout).store).toBe(path.join(project, 'elsewhere.json'));
    const byEnv = await flipgate(['audit', 'verify', '--json'], { env: { ...env, FLIPGATE_CONFIG: other }, cwd: project });
    expect(JSON.parse(byEnv.stdout).store).toBe(path.join(project, 'elsewhere.json'));
    const missing = await flipgate(['status', '--config', path.join(project, 'nope.yaml')], { env, cwd: project });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: --config: the config file does not exist');
  });
});

describe('a bad flipgate.config.yaml', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'fg-badcfg-'));
  });
  afterEach(() => rm(project, { recursive: true, force: true }));
  const run = (args: string[]) => flipgate(args, { env: clean(process.env), cwd: project });

  it('names an unknown key with its line and the key meant (exit 2)', async () => {
    await writeFile(path.join(project, 'flipgate.config.yaml'), `workflow: ${O8}\nstor: state/x.json\n`);
    const r = await run(['status']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `flipgate: ${path.join(project, 'flipgate.config.yaml')}:2:1: stor: unknown key "stor" — did you mean "store"?`,
    );
  });

  it('names a value of the wrong type, and reports it as JSON under --json', async () => {
    await writeFile(path.join(project, 'flipgate.config.yaml'), `workflow: ${O8}\nroot: [a, b]\n`);
    const r = await run(['status', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.problems[0]).toMatchObject({
      file: path.join(project, 'flipgate.config.yaml'),
      line: 2,
      field: 'root',
      fix: expect.stringContaining('root:'),
    });
  });

  it('names broken YAML with its line (exit 2, no stack trace)', async () => {
    await writeFile(path.join(project, 'flipgate.config.yaml'), `workflow: [${O8}\nstore: x\n`);
    const r = await run(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flipgate\.config\.yaml:\d+:\d+: invalid YAML/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the README's config example", () => {
  it('is a valid flipgate.config.yaml whose relative paths resolve beside it', async () => {
    const example = /```yml\n(# flipgate\.config\.yaml[\s\S]*?)```/.exec(await readFile('README.md', 'utf8'))?.[1];
    expect(example).toBeDefined();
    const dir = await mkdtemp(path.join(tmpdir(), 'fg-readme-cfg-'));
    try {
      await writeFile(path.join(dir, 'flipgate.config.yaml'), example!);
      const values = await loadProjectConfig(path.join(dir, 'flipgate.config.yaml'));
      expect(values).toMatchObject({
        workflow: path.join(dir, 'machines/web-go-live.yaml'),
        store: path.join(dir, 'state/web-go-live.json'),
        root: '/',
        as: 'ops',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

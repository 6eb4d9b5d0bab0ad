import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { openSession } from '../../src/runner/engine/session.js';
import { loadWorkflow } from '../../src/spec/load.js';
import { FileStore } from '../../src/store/file-store.js';
import { snapshotDatabase, snapshotTree } from '../support/host-snapshot.js';
import { leakyO8, O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

const run = promisify(execFile);
const SECRET = 'Pl4nted-S3cret-9f2c1e';
const cli = path.resolve('bin/flipgate.js');

async function flipgate(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  try {
    const r = await run(process.execPath, [cli, ...args], { env, cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

describe('a survey of the seed-state host', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost({ secret: SECRET });
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  it('leaves the host byte-for-byte unchanged: files, modes, owners, the keyring home and the database', async () => {
    await fx.host.provision('GAP-3'); // a keyring with a key, so gpg has something to list
    const files = await snapshotTree(fx.root, ['state']);
    const db = await snapshotDatabase(fx.db.admin, fx.db.schema, fx.db.prefix);
    await runSurvey(fx.session('surveyor'));
    expect(await snapshotTree(fx.root, ['state'])).toEqual(files);
    expect(await snapshotDatabase(fx.db.admin, fx.db.schema, fx.db.prefix)).toEqual(db);
  });

  it('never shows a planted secret in any output, error or the store — in every format', async () => {
    const extra = path.join(fx.root, 'leaky.yaml');
    const leaky = await leakyO8(fx.root);
    await writeFile(extra, leaky);
    const env = { ...fx.env, NO_COLOR: '1' };
    const outputs: string[] = [];
    for (const format of ['table', 'json', 'markdown', 'junit']) {
      const r = await flipgate(
        ['survey', '--workflow', extra, '--root', fx.root, '--store', fx.storePath, '--format', format],
        env,
        fx.root,
      );
      expect(r.code).toBe(1);
      outputs.push(r.out);
    }
    outputs.push((await flipgate(['status', '--workflow', extra, '--store', fx.storePath, '--json'], env, fx.root)).out);
    outputs.push(
      (await flipgate(['advance', '--workflow', extra, '--root', fx.root, '--store', fx.storePath, '--json'], env, fx.root)).out,
    );
    const joined = outputs.join('\n');
    expect(joined).toContain('Postgres error 22P02'); // the cast failed, and only its code is shown
    expect(joined).toContain('exited 3, expected 0');
    expect(joined).not.toContain(SECRET);
    for (const f of await readdir(path.dirname(fx.storePath))) {
      expect(await readFile(path.join(path.dirname(fx.storePath), f), 'utf8'), f).not.toContain(SECRET);
    }
  });

  it('reports ERROR, never CLOSED, when Postgres is unreachable', async () => {
    const env = { ...fx.env, PGHOST: '127.0.0.1', PGPORT: '1', DATABASE_URL: '' };
    delete env.DATABASE_URL;
    const wf = await loadWorkflow(O8, { env });
    const session = openSession({
      workflow: wf,
      store: new FileStore(path.join(fx.root, 'state', 'down.json'), wf.spec.id),
      root: fx.root,
      env,
      timeoutMs: 3000,
    });
    try {
      const { report } = await runSurvey(session);
      const g4 = report.gaps.find((g) => g.id === 'GAP-4')!;
      expect(g4.status).toBe('ERROR');
      expect(g4.checks.find((c) => c.id === 'roles-present')!.evidence).toMatch(/connection refused \(ECONNREFUSED\)/);
      expect(report.sections.find((s) => s.id === 'roles')!.checks.every((c) => c.status === 'error')).toBe(true);
      expect(report.ready).toBe(false);
      expect(report.errors).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});

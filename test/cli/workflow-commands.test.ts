import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';
import { O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

describe('survey, status and advance from the command line', () => {
  let fx: SeedFixture;
  let args: string[];
  beforeEach(async () => {
    fx = await setupSeedHost();
    args = ['--workflow', O8, '--root', fx.root, '--store', fx.storePath];
  });
  afterEach(() => fx.cleanup());

  it('survey exits 1 (not ready) and prints the GAP table with the seed’s statuses, and no progress when piped', async () => {
    const r = await flipgate(['survey', ...args], { env: fx.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/GAP-4\s+Governance principal pinned \(DQ_4\)\s+⚠️ PARTIAL/);
    expect(r.stdout).toMatch(/GAP-8\s+Harmless target document selected\s+❌ OPEN\/BLOCKED/);
    expect(r.stdout).toMatch(/NOT READY — 7 of 9 GAPs not closed/);
  });

  it('survey --json has the documented shape (schemaVersion 1)', async () => {
    const r = await flipgate(['survey', ...args, '--json'], { env: fx.env });
    const body = JSON.parse(r.stdout);
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['schemaVersion', 'workflow', 'state', 'killSwitch', 'gates', 'gaps', 'sections', 'ready']),
    );
    expect(body.schemaVersion).toBe(1);
    expect(body.workflow).toBe('o8-production-readiness');
    expect(body.killSwitch).toMatchObject({ status: 'safe' });
    expect(body.gates.map((g: { id: string; status: string }) => `${g.id}:${g.status}`)).toEqual([
      'G1:current',
      'G2:pending',
      'G3:pending',
      'G4:pending',
      'G5:pending',
      'G6:pending',
    ]);
    const g3 = body.gaps.find((g: { id: string }) => g.id === 'GAP-3');
    expect(g3.status).toBe('OPEN');
    expect(g3.checks[0]).toEqual({
      id: 'fpr-configured',
      kind: 'env.keys',
      title: expect.any(String),
      status: 'fail',
      evidence: expect.stringContaining('lacks BACKUP_GPG_FPR'),
      observed: expect.any(Object),
      ms: expect.any(Number),
    });
    expect(body.sections.map((s: { id: string }) => s.id)).toEqual(['roles', 'secrets', 'backup', 'governance', 'rollback']);
  });

  it('writes markdown and junit reports', async () => {
    const md = await flipgate(['survey', ...args, '--format', 'markdown'], { env: fx.env });
    expect(md.stdout).toMatch(/\| GAP-3 \| BACKUP_GPG_FPR provisioned \| ❌ OPEN/);
    const junit = await flipgate(['survey', ...args, '--format', 'junit'], { env: fx.env });
    expect(junit.stdout).toMatch(/^<\?xml/);
    expect(junit.stdout).toMatch(/<testcase classname="o8-production-readiness.GAP-3" name="fpr-configured/);
  });

  it('advance exits 0 when it moves on and 1 when blocked; status reads the store without probing', async () => {
    const first = await flipgate(['advance', ...args], { env: fx.env });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ G1 passed → G2/);
    const second = await flipgate(['advance', ...args], { env: fx.env });
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/G2 is blocked by GAP-3 \(OPEN\), GAP-4 \(PARTIAL\), GAP-5 \(OPEN\)/);
    const status = await flipgate(['status', '--workflow', O8, '--store', fx.storePath, '--json'], { env: { ...fx.env, PGPORT: '1' } });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'G2', step: 'GAP-3' });
  });

  it('status exits 1 when the workflow is halted', async () => {
    const sw = path.join(fx.root, 'opt/incomex/dot/cutter/execution.py');
    await writeFile(sw, (await readFile(sw, 'utf8')).replace('= False', '= True'));
    expect((await flipgate(['advance', ...args], { env: fx.env })).code).toBe(1);
    const status = await flipgate(['status', '--workflow', O8, '--store', fx.storePath], { env: fx.env });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/HALTED/);
  });
});

describe('command-line input errors', () => {
  it('names the missing workflow when none is given and ./machines has none (exit 2)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fg-cwd-'));
    try {
      const env = { ...process.env };
      delete env.FLIPGATE_WORKFLOW;
      const r = await flipgate(['status'], { env, cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        'flipgate: --workflow: no workflow given and ./machines/ holds none — pass --workflow FILE, set FLIPGATE_WORKFLOW, or write workflow: FILE in flipgate.config.yaml',
      );
      const json = await flipgate(['status', '--json'], { env, cwd: dir });
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout).error.problems[0]).toMatchObject({
        field: '--workflow',
        fix: 'pass --workflow FILE, set FLIPGATE_WORKFLOW, or write workflow: FILE in flipgate.config.yaml',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses FLIPGATE_WORKFLOW and rejects a bad --concurrency with exit 2', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fg-cwd-'));
    try {
      const r = await flipgate(['survey', '--concurrency', 'zero', '--store', path.join(dir, 's.json')], {
        env: { ...process.env, FLIPGATE_WORKFLOW: O8 },
        cwd: dir,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--concurrency: expected an integer ≥ 1, found "zero"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown option with exit 2 and no stack trace', async () => {
    const r = await flipgate(['status', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

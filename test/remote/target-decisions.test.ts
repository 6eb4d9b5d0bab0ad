import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget } from '../../src/remote/open-target.js';
import type { SshTarget } from '../../src/remote/target.js';
import { flipgate } from '../support/cli.js';
import { advanceAll, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';

const skip = sshdUnavailable();
const switchText = (fx: SeedFixture) => readFile(path.join(fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');

describe.skipIf(!!skip)(`advance, flip and disable against a target over SSH${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  let fx: SeedFixture;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sshd = await startSshd({ plainUser: true });
  });
  afterAll(async () => {
    await sshd?.stop();
  });
  beforeEach(async () => {
    fx = await setupSeedHost();
    env = { ...fx.env, FLIPGATE_SSH_CONFIG: sshd.configFile };
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  const on = async (actor: string, host: SshTarget = { kind: 'ssh', host: 'target' }) =>
    fx.session(actor, { target: await openTarget(host, { configFile: sshd.configFile, root: fx.root, timeoutMs: 10_000 }) });
  // The target comes from --target, or from FLIPGATE_TARGET when the flag is left out.
  const cli = (args: string[], actor: string, target: 'flag' | 'env' = 'flag') =>
    flipgate(
      [
        ...args,
        '--workflow',
        fx.workflowFile,
        '--root',
        fx.root,
        '--store',
        fx.storePath,
        ...(target === 'flag' ? ['--target', 'ssh://target'] : []),
        '--json',
      ],
      {
        env: { ...env, FLIPGATE_ACTOR: actor, ...(target === 'env' ? { FLIPGATE_TARGET: 'ssh://target' } : {}) },
        cwd: fx.root,
      },
    );

  it('advances to armed, flips with --execute and disables, each command running on the target and recorded with it', async () => {
    await provisionEverything(fx);
    const advanced = await advanceAll(await on('operator'));
    expect(advanced.outcome).toBe('armed');

    const flip = await cli(['flip', '--execute'], 'carol');
    expect(flip.stderr).toBe('');
    expect(JSON.parse(flip.stdout)).toMatchObject({ outcome: 'flipped' });
    expect(await switchText(fx)).toMatch(/^__execution_enabled__ = True/m);

    const watch = await cli(['watch', '--once'], 'watcher');
    expect(watch.code, watch.stderr).toBe(0);

    const off = await cli(['disable', '--reason', 'end of the test window'], 'carol', 'env');
    expect(off.code, off.stderr).toBe(0);
    expect(await switchText(fx)).toMatch(/^__execution_enabled__ = False/m);

    const resumed = await cli(['resume'], 'carol');
    expect(resumed.code, resumed.stderr).toBe(0);

    const events = await fx.store.readEvents();
    for (const type of ['flip.command', 'disable.command', 'killswitch.read', 'survey']) {
      const of = events.filter((e) => e.type === type);
      expect(of.length, type).toBeGreaterThan(0);
      for (const e of of) expect((e.data as { host?: string }).host, type).toBe('ssh://target');
    }
  });

  it('refuses a target that is not local or ssh://, and --become without a target, with exit 2 before anything runs', async () => {
    const bad = await flipgate(
      ['survey', '--workflow', fx.workflowFile, '--root', fx.root, '--store', fx.storePath, '--target', 'ftp://app1', '--json'],
      { env, cwd: fx.root },
    );
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error.message).toMatch(/target "ftp:\/\/app1" is neither local nor an ssh:\/\/ address/);
    const local = await flipgate(
      ['survey', '--workflow', fx.workflowFile, '--root', fx.root, '--store', fx.storePath, '--become', 'sudo'],
      { env, cwd: fx.root },
    );
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--become applies to an ssh:\/\/ target only/);
    expect((await fx.store.readEvents()).length).toBe(0);
  });

  it('runs the checks as root through sudo -n with --become sudo, seeing what the login user sees', async () => {
    const { runSurvey } = await import('../../src/runner/actions/survey-advance.js');
    const statuses = async (become?: 'sudo') => {
      const target = await openTarget({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile, root: fx.root, become });
      const { report } = await runSurvey(fx.session('surveyor', { target }));
      expect(report.errors).toBe(0);
      return report.gaps.map((g) => `${g.id} ${g.status}`);
    };
    expect(await statuses('sudo')).toEqual(await statuses());
  });

  const everyHostCheckErrs = async (host: SshTarget, become: 'sudo' | undefined, words: RegExp) => {
    const target = await openTarget(host, { configFile: sshd.configFile, root: fx.root, timeoutMs: 5000, become });
    const { runSurvey } = await import('../../src/runner/actions/survey-advance.js');
    const { report } = await runSurvey(fx.session('surveyor', { target }));
    const checks = [...report.gaps.flatMap((g) => g.checks), ...report.sections.flatMap((s) => s.checks)].filter(
      (c) => c.kind !== 'approval',
    );
    expect(checks.length).toBeGreaterThan(30);
    for (const c of checks) {
      expect(c.status, `${c.id}: ${c.evidence}`).toBe('error');
      expect(c.evidence, c.id).toMatch(words);
    }
    expect(report.killSwitch.status).toBe('unreadable');
    expect(report.gaps.filter((g) => g.status === 'CLOSED')).toEqual([]);
    expect(report.ready).toBe(false);
  };

  it('makes every check ERROR, never a pass, when the host key is unknown', async () => {
    await everyHostCheckErrs({ kind: 'ssh', host: 'unknown-key' }, undefined, /host key/i);
  });

  it('makes every check ERROR when the host key has changed', async () => {
    await everyHostCheckErrs({ kind: 'ssh', host: 'changed-key' }, undefined, /host key/i);
  });

  it('makes every check ERROR when the host is dead', async () => {
    await everyHostCheckErrs({ kind: 'ssh', host: 'dead' }, undefined, /refused|cannot be reached|not reach/i);
  });

  it('makes every check ERROR when sudo -n refuses', async () => {
    await everyHostCheckErrs({ kind: 'ssh', host: 'plain' }, 'sudo', /sudo -n refused/);
  });

  it('refuses the flip on a dead host and leaves the switch as it was', async () => {
    await provisionEverything(fx);
    expect((await advanceAll(await on('operator'))).outcome).toBe('armed');
    const { flipWorkflow } = await import('../../src/runner/actions/flip.js');
    const r = await flipWorkflow(await on('carol', { kind: 'ssh', host: 'dead' }), { execute: true });
    expect(r.outcome).toBe('refused');
    expect(await switchText(fx)).toMatch(/^__execution_enabled__ = False/m);
  });
});

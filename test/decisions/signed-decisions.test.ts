import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, Refusal } from '../../src/errors.js';
import { approveGap, listDecisions, revokeApproval, waiveGap } from '../../src/runner/actions/signoffs.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { flipgate } from '../support/cli.js';
import { o8WithWaivers, type SeedFixture, setupSeedHost } from '../support/seed.js';

// Real OpenSSH keys signing through ssh-keygen -Y sign (and through ssh-agent), verified against an
// allowed_signers file in OpenSSH's own format.
let keys: string;
const key = (name: string) => path.join(keys, name);
const pub = async (name: string) => (await readFile(`${key(name)}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
const soon = () => new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  keys = await mkdtemp(path.join(tmpdir(), 'flipgate-approver-keys-'));
  for (const name of ['alice', 'bob', 'mallory', 'cto'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', key(name)]);
});
afterAll(() => rm(keys, { recursive: true, force: true }));

const signedSpec = (yaml: string) =>
  o8WithWaivers(['cto'], ['GAP-8'])(yaml).replace(/^gates:$/m, 'approvals: { signed: true, allowedSigners: allowed_signers }\ngates:');

describe('signed approvals and waivers (approvals: {signed: true}, SSH signatures)', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost({ edit: signedSpec });
    const lines = [
      `alice ${await pub('alice')}`,
      `Bob namespaces="flipgate" ${await pub('bob')}`,
      `cto ${await pub('cto')}`,
      `dq4-board,release-manager ${await pub('mallory')}`,
    ];
    await writeFile(path.join(fx.root, 'allowed_signers'), `${lines.join('\n')}\n`);
  });
  afterEach(() => fx.cleanup());

  const gap7 = async () => (await runSurvey(fx.session('surveyor'))).report.gaps.find((g) => g.id === 'GAP-7')!;

  it("count when signed by the principal's own key; a wrong or unknown key is refused at approve and nothing is recorded", async () => {
    await expect(approveGap(fx.session('alice'), 'GAP-7')).rejects.toBeInstanceOf(ConfigError);
    const ok = await approveGap(fx.session('alice'), 'GAP-7', { sign: true, keyFile: key('alice') });
    expect(ok.unauthenticated).toBe(false);
    expect(ok.message).toMatch(/signed; the signature verifies/);
    const before = (await fx.store.readEvents()).length;
    await expect(approveGap(fx.session('bob'), 'GAP-7', { keyFile: key('mallory') })).rejects.toThrow(
      /does not count.*signs for dq4-board, release-manager, not bob/,
    );
    await expect(approveGap(fx.session('mallory'), 'GAP-8', { keyFile: key('mallory') })).rejects.toThrow(/may not approve|does not count/);
    expect((await fx.store.readEvents()).length).toBe(before);
    expect((await gap7()).checks[0]!.evidence).toBe('1 of 2 approval(s): alice');
    await approveGap(fx.session('BOB'), 'GAP-7', { sign: true, keyFile: key('bob') });
    expect((await gap7()).status).toBe('CLOSED');
  });

  it('signs through ssh-agent with only the public key named', async () => {
    const sock = path.join(keys, `agent.${process.pid}.sock`);
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync('ssh-add', [key('alice')], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const s = fx.session('alice', { env: { ...fx.env, SSH_AUTH_SOCK: sock } });
      await approveGap(s, 'GAP-7', { sign: true, keyFile: `${key('alice')}.pub` });
      expect((await listDecisions(s)).approvals.map((a) => `${a.principal} ${a.why}`)).toEqual(['alice counts']);
    } finally {
      agent.kill();
    }
  });

  it('a copy of a signed approval appended later never counts, and the audit of standings says why', async () => {
    await approveGap(fx.session('alice'), 'GAP-7', { sign: true, keyFile: key('alice') });
    await approveGap(fx.session('bob'), 'GAP-7', { sign: true, keyFile: key('bob') });
    expect((await gap7()).status).toBe('CLOSED');
    await revokeApproval(fx.session('bob'), 'GAP-7');
    // Anyone who can write the ledger (or a Postgres role with INSERT) appends bob's signed approval again.
    const original = (await fx.store.readEvents()).find((e) => e.type === 'approval.granted' && e.actor === 'bob')!;
    await fx.store.transact((tx) =>
      tx.append([{ type: original.type, actor: original.actor, subject: original.subject, cause: original.cause, data: original.data }]),
    );
    const list = await listDecisions(fx.session('auditor'));
    const bob = list.approvals.filter((a) => a.principal === 'bob');
    expect(bob.map((a) => a.counts)).toEqual([false, false]);
    expect(bob[0]!.why).toMatch(/^revoked at event/);
    expect(bob[1]!.why).toMatch(
      /^replayed: signed over the history up to event \d+ but recorded at event \d+; a signature counts only for the history it signed — it was signed before the revoke at event \d+$/,
    );
    expect((await gap7()).status).not.toBe('CLOSED');
  });

  it('an edited signed approval does not verify', async () => {
    await approveGap(fx.session('alice'), 'GAP-7', { sign: true, keyFile: key('alice') });
    const lines = (await readFile(fx.store.ledgerFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    lines.find((e) => e.type === 'approval.granted').data.specHash = 'f'.repeat(64);
    await writeFile(fx.store.ledgerFile, `${lines.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const [a] = (await listDecisions(fx.session('auditor'))).approvals;
    expect(a!.counts).toBe(false);
    expect(a!.why).toMatch(/^bad-signature/);
  });

  it('honours valid-before: a key past its window is refused at approve', async () => {
    await writeFile(path.join(fx.root, 'allowed_signers'), `alice valid-before="20200101" ${await pub('alice')}\n`);
    await expect(approveGap(fx.session('alice'), 'GAP-7', { sign: true, keyFile: key('alice') })).rejects.toThrow(/not valid at/);
  });

  it('honours namespaces=: a key allowed only for git is refused', async () => {
    await writeFile(path.join(fx.root, 'allowed_signers'), `alice namespaces="git" ${await pub('alice')}\n`);
    await expect(approveGap(fx.session('alice'), 'GAP-7', { sign: true, keyFile: key('alice') })).rejects.toThrow(
      /not allowed to sign in namespace "flipgate"/,
    );
  });

  it('waivers must be signed too, and a signed waiver counts', async () => {
    await expect(waiveGap(fx.session('cto'), 'GAP-8', soon(), 'target chosen next week')).rejects.toBeInstanceOf(ConfigError);
    await expect(waiveGap(fx.session('cto'), 'GAP-8', soon(), 'target chosen next week', { keyFile: key('alice') })).rejects.toBeInstanceOf(
      Refusal,
    );
    await waiveGap(fx.session('cto'), 'GAP-8', soon(), 'target chosen next week', { sign: true, keyFile: key('cto') });
    const [w] = (await listDecisions(fx.session('auditor'))).waivers;
    expect(w).toMatchObject({ standing: 'active', principal: 'cto' });
  });

  it('approve --sign --key with a key that is not the principal’s exits 1 and records nothing', async () => {
    const base = ['--workflow', fx.workflowFile, '--store', fx.storePath];
    const bad = await flipgate(['approve', 'GAP-7', ...base, '--as', 'alice', '--sign', '--key', key('mallory')], { env: fx.env });
    expect(bad.code).toBe(1);
    expect(bad.stdout).not.toMatch(/✓/);
    expect(bad.stderr).toMatch(/the signature does not count, so nothing was recorded/);
    expect((await fx.store.readEvents()).some((e) => e.type === 'approval.granted')).toBe(false);
    const good = await flipgate(['approve', 'GAP-7', ...base, '--as', 'alice', '--sign', '--key', key('alice')], { env: fx.env });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/✓ alice approved GAP-7 \(signed; the signature verifies\)/);
  });
});

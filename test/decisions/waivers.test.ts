import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, Refusal } from '../../src/errors.js';
import { approveGap, listDecisions, parseUntil, revokeApproval, unwaiveGap, waiveGap } from '../../src/runner/actions/signoffs.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { openSession, type Session } from '../../src/runner/engine/session.js';
import { type LoadedWorkflow, loadWorkflow, parseWorkflow } from '../../src/spec/load.js';
import { waiverPolicy } from '../../src/spec/waivers.js';
import { FileStore } from '../../src/store/file-store.js';
import { flipgate } from '../support/cli.js';

const SPEC = 'test/fixtures/specs/decisions.yaml';
const day = 86_400_000;

describe('the waiver rule of each GAP', () => {
  it('follows waivable, the approval-check default, and narrows by the GAP’s own waivers', async () => {
    const { spec } = await loadWorkflow(SPEC, { env: {} });
    expect(spec.groups!['release-board']).toEqual(['alice', 'bob', 'carol']); // stored normalised
    expect(waiverPolicy(spec, 'GAP-1')).toMatchObject({
      allowed: true,
      by: ['alice', 'bob', 'carol', 'dave'],
      byAsWritten: ['@release-board', 'dave'],
      maxDays: 30,
      from: 'workflow',
    });
    expect(waiverPolicy(spec, 'GAP-2')).toMatchObject({ allowed: true, by: ['carol'], maxDays: 7, from: 'gap' });
    expect(waiverPolicy(spec, 'GAP-3')).toMatchObject({
      allowed: false,
      problem: expect.stringMatching(/approval check, and a waiver must not stand in for a sign-off/),
      fix: expect.stringMatching(/waivable: true on GAP-3/),
    });
    expect(waiverPolicy(spec, 'GAP-4')).toMatchObject({ allowed: true });
    expect(waiverPolicy(spec, 'GAP-5')).toMatchObject({ allowed: false, problem: 'GAP-5 may not be waived (waivable: false)' });
  });

  it('refuses every waiver of a workflow that names no one in waivers.by, and says how to allow them', async () => {
    const text = (await readFile(SPEC, 'utf8'))
      .replace(/^waivers:\n.*\n.*\n/m, '')
      .replace(/ +waivers: \{ by: \[carol\], maxDays: 7 \}\n/, '');
    const { spec } = parseWorkflow(text, 'no-waivers.yaml', { env: {} });
    const p = waiverPolicy(spec, 'GAP-1');
    expect(p).toMatchObject({ allowed: false, problem: 'GAP-1 may not be waived: workflow decisions names no one who may waive' });
    expect(!p.allowed && p.fix).toMatch(/add waivers: \{ by: \["@group", "name"\], maxDays: 30 \} to the workflow/);
  });

  it('is what the statechart reads: only GAPs someone may waive are proven by WAIVED', async () => {
    const wf = await loadWorkflow(SPEC, { env: {} });
    const s = openSession({ workflow: wf, store: new FileStore(path.join(tmpdir(), 'never-written.json'), 'decisions'), actor: 'x' });
    expect(Object.fromEntries([...s.plan.gaps].map(([id, g]) => [id, g.waivable]))).toEqual({
      'GAP-1': true,
      'GAP-2': true,
      'GAP-3': false,
      'GAP-4': true,
      'GAP-5': false,
    });
  });
});

describe('--until', () => {
  const now = new Date('2026-12-10T15:00:00Z');
  it('is a calendar date: 2027-02-30 and 2026-13-01 are refused, not rolled over', () => {
    for (const bad of [
      '2027-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-12-32',
      '2026-12-31T24:00Z',
      '2026-12-31T12:60Z',
      'next week',
      '31/12/2026',
    ]) {
      expect(() => parseUntil(bad, now), bad).toThrow(ConfigError);
    }
    expect(() => parseUntil('2027-02-30', now)).toThrow(/"2027-02-30" is not a date on the calendar \(2027-02 has 28 days\)/);
    expect(parseUntil('2028-02-29', now).toISOString()).toBe('2028-02-29T23:59:59.999Z');
  });

  it('runs to the end of that day in UTC; a time needs its zone', () => {
    expect(parseUntil('2026-12-11', now).toISOString()).toBe('2026-12-11T23:59:59.999Z');
    expect(parseUntil('2026-12-11T08:30:00+02:00', now).toISOString()).toBe('2026-12-11T06:30:00.000Z');
    expect(() => parseUntil('2026-12-11T08:30', now)).toThrow(/has no time zone/);
    expect(() => parseUntil('2026-12-09', now)).toThrow(/already past/);
  });

  it('is bounded by maxDays: up to the end of the day maxDays from now, not a millisecond more', () => {
    expect(parseUntil('2027-01-09', now, 30).toISOString()).toBe('2027-01-09T23:59:59.999Z');
    expect(() => parseUntil('2027-01-10', now, 30)).toThrow(/more than the 30 days a waiver may run here — give 2027-01-09 or earlier/);
    expect(() => parseUntil('2027-01-10T00:00:00Z', now, 30)).toThrow(ConfigError);
  });
});

describe('waive and unwaive, with authority', () => {
  let root: string;
  let wf: LoadedWorkflow;
  let store: FileStore;
  const sessions: Session[] = [];
  const as = (actor: string, over: { now?: Date; workflow?: LoadedWorkflow } = {}) => {
    const s = openSession({ workflow: over.workflow ?? wf, store, actor, root, env: {}, now: over.now ? () => over.now! : undefined });
    sessions.push(s);
    return s;
  };
  const inAMonth = () => new Date(Date.now() + 20 * day).toISOString().slice(0, 10);

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flipgate-decisions-'));
    await mkdir(path.join(root, 'opt/app'), { recursive: true });
    await writeFile(path.join(root, 'opt/app/switch.conf'), 'live = false\n');
    wf = await loadWorkflow(SPEC, { env: {} });
    store = new FileStore(path.join(root, 'state', 'decisions.json'), 'decisions');
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses a principal outside waivers.by (exit 1), and lets a member waive under any spelling of their name', async () => {
    const e = await waiveGap(as('erin'), 'GAP-1', inAMonth(), 'config lands next sprint').catch((x) => x);
    expect(e).toBeInstanceOf(Refusal);
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(
      `erin may not waive GAP-1: the workflow's waivers.by allows @release-board, dave (alice, bob, carol, dave) — ask one of them, or add erin to waivers.by in ${SPEC}`,
    );
    const ok = await waiveGap(as(' Dave'), 'GAP-1', inAMonth(), 'config lands next sprint');
    expect(ok.recorded[ok.recorded.length - 1]).toMatchObject({
      type: 'waiver.granted',
      actor: 'dave',
      data: { reason: 'config lands next sprint', headSeq: expect.any(Number), specHash: wf.hash },
    });
  });

  it('applies a GAP’s narrower waivers: only carol, for at most 7 days', async () => {
    await expect(waiveGap(as('bob'), 'GAP-2', inAMonth(), 'later')).rejects.toThrow(
      /bob may not waive GAP-2: GAP-2's waivers.by allows carol/,
    );
    await expect(waiveGap(as('carol'), 'GAP-2', inAMonth(), 'later')).rejects.toThrow(/more than the 7 days/);
    await waiveGap(as('carol'), 'GAP-2', new Date(Date.now() + 3 * day).toISOString().slice(0, 10), 'renewal in flight');
  });

  it('refuses to let a waiver stand in for a sign-off unless the GAP says waivable: true', async () => {
    await expect(waiveGap(as('alice'), 'GAP-3', inAMonth(), 'board is away')).rejects.toThrow(
      /GAP-3 may not be waived: it has an approval check/,
    );
    await expect(waiveGap(as('alice'), 'GAP-5', inAMonth(), 'later')).rejects.toThrow(/GAP-5 may not be waived \(waivable: false\)/);
    await waiveGap(as('alice'), 'GAP-4', inAMonth(), 'target chosen out of band');
  });

  it('lets only those who may waive withdraw a waiver', async () => {
    await waiveGap(as('alice'), 'GAP-1', inAMonth(), 'later');
    await expect(unwaiveGap(as('erin'), 'GAP-1')).rejects.toThrow(/erin may not unwaive GAP-1/);
    await unwaiveGap(as('Bob'), 'GAP-1');
    expect((await listDecisions(as('auditor'))).waivers[0]).toMatchObject({ standing: 'withdrawn' });
  });

  it('does not count a waiver written to the ledger by someone outside waivers.by, or past maxDays', async () => {
    const lenient = parseWorkflow(
      (await readFile(SPEC, 'utf8')).replace(
        'by: ["@release-board", "Dave"]\n  maxDays: 30',
        'by: ["@release-board", "Dave", erin]\n  maxDays: 366',
      ),
      SPEC,
      { env: {} },
    );
    const t0 = new Date();
    await waiveGap(
      as('erin', { workflow: lenient }),
      'GAP-1',
      new Date(t0.getTime() + 300 * day).toISOString().slice(0, 10),
      'my own rule',
    );
    await waiveGap(
      as('alice', { workflow: lenient }),
      'GAP-4',
      new Date(t0.getTime() + 300 * day).toISOString().slice(0, 10),
      'for most of a year',
    );
    const standings = async (now: Date) =>
      Object.fromEntries((await listDecisions(as('auditor', { now }))).waivers.map((w) => [w.gap, w.standing]));
    expect(await standings(new Date(t0.getTime() + 10 * day))).toEqual({ 'GAP-1': 'unauthorised', 'GAP-4': 'active' });
    expect(await standings(new Date(t0.getTime() + 32 * day))).toEqual({ 'GAP-1': 'unauthorised', 'GAP-4': 'expired' });
    const { report } = await runSurvey(as('surveyor', { now: new Date(t0.getTime() + 10 * day) }));
    expect(report.gaps.find((g) => g.id === 'GAP-1')!.status).toBe('OPEN');
    expect(report.gaps.find((g) => g.id === 'GAP-4')!.status).toBe('WAIVED');
  });
});

describe('one person, one principal, in counting', () => {
  let root: string;
  let store: FileStore;
  const sessions: Session[] = [];
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flipgate-principals-'));
    await mkdir(path.join(root, 'opt/app'), { recursive: true });
    await writeFile(path.join(root, 'opt/app/switch.conf'), 'live = false\n');
    store = new FileStore(path.join(root, 'state', 'decisions.json'), 'decisions');
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  it('counts alice, Alice and "alice " once, and a Cyrillic look-alike never, even when written to the ledger directly', async () => {
    const wf = await loadWorkflow(SPEC, { env: {} });
    const as = (actor: string) => {
      const s = openSession({ workflow: wf, store, actor, root, env: {} });
      sessions.push(s);
      return s;
    };
    await approveGap(as('alice'), 'GAP-4');
    expect(() => as('\u0430lice')).toThrow(ConfigError); // the session refuses the name before anything is recorded
    // What someone who can write the ledger could append: the same person under other spellings.
    const head = (await store.readEvents()).at(-1)!;
    await store.transact((tx) =>
      tx.append(
        ['Alice', 'alice ', '\u0430lice'].map((actor) => ({
          type: 'approval.granted',
          actor,
          subject: 'GAP-4',
          cause: { kind: 'approval' as const, principal: actor },
          data: { head: head.hash, headSeq: head.seq, specHash: wf.hash },
        })),
      ),
    );
    const list = await listDecisions(as('auditor'));
    const first = list.approvals[0]!.seq;
    expect(list.approvals.map((a) => [a.principal, a.counts ? 'counts' : a.why])).toEqual([
      ['alice', 'counts'],
      ['alice', `the same as alice's approval at event ${first}, which counts`],
      ['alice', `the same as alice's approval at event ${first}, which counts`],
      ['\u0430lice', 'not a valid principal name, so it counts for no one'],
    ]);
    const { report } = await runSurvey(as('surveyor'));
    expect(report.gaps.find((g) => g.id === 'GAP-4')!.checks[0]!.evidence).toBe('1 of 1 approval(s): alice');
    await revokeApproval(as('ALICE'), 'GAP-4');
    expect((await listDecisions(as('auditor'))).approvals.filter((a) => a.counts)).toEqual([]);
  });

  it('refuses --as "" and a look-alike --as with exit 2, and records --as Alice as alice', async () => {
    const base = ['--workflow', SPEC, '--store', path.join(root, 'state', 'decisions.json')];
    const empty = await flipgate(['approve', 'GAP-4', ...base, '--as', ''], { env: { ...process.env, FLIPGATE_ACTOR: 'bob' } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--as: "" is not a valid principal: it is empty/);
    const look = await flipgate(['approve', 'GAP-4', ...base, '--as', '\u0430lice']);
    expect(look.code).toBe(2);
    expect(look.stderr).toMatch(/U\+0430/);
    const ok = await flipgate(['approve', 'GAP-4', ...base, '--as', 'Alice']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/alice approved GAP-4/);
    const waive = await flipgate(['waive', 'GAP-1', ...base, '--as', 'erin', '--until', '2027-02-30', '--reason', 'x']);
    expect(waive.code).toBe(1); // authority is refused before the date is read
    const bad = await flipgate(['waive', 'GAP-1', ...base, '--as', 'carol', '--until', '2027-02-30', '--reason', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a date on the calendar/);
    expect(
      (await store.readEvents()).filter((e) => e.type.startsWith('approval') || e.type.startsWith('waiver')).map((e) => e.actor),
    ).toEqual(['alice']);
  });
});

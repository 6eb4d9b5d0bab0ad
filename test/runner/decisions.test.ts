import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Refusal } from '../../src/errors.js';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { resumeWorkflow } from '../../src/runner/actions/resume.js';
import { approveGap, listDecisions, revokeApproval, unwaiveGap, waiveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { watchOnce } from '../../src/runner/actions/watch.js';
import { advanceAll, o8WithWaivers, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

const switchText = (fx: SeedFixture) => readFile(path.join(fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');

describe('approvals, waivers, the flip and the disable on the O8 workflow', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost({ edit: o8WithWaivers(['cto']) });
  });
  afterEach(() => fx.cleanup());

  async function armed(approvers?: string[]) {
    await provisionEverything(fx, { gap7: approvers });
    const op = fx.session('operator');
    const r = await advanceAll(op);
    return { op, r };
  }

  it('flips with two distinct approvers and a requester who is neither, then disable returns to safety', async () => {
    const { r } = await armed();
    expect(r.outcome).toBe('armed');
    const plan = await flipWorkflow(fx.session('carol'), { execute: false });
    expect(plan.outcome).toBe('would-proceed');
    expect(plan.guards.every((g) => g.ok)).toBe(true);
    expect(await switchText(fx)).toMatch(/= False/);
    const flip = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(flip.outcome, flip.message).toBe('flipped');
    expect(flip.report.state).toBe('flipped');
    expect(await switchText(fx)).toMatch(/= True/);
    const off = await disableWorkflow(fx.session('carol'), 'end of the test window');
    expect(off.safe).toBe(true);
    expect(off.report.state).toBe('halted');
    expect(await switchText(fx)).toMatch(/= False/);
    const types = (await fx.store.readEvents()).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'flip.requested',
        'flip.command',
        'flip.completed',
        'disable.requested',
        'disable.command',
        'killswitch.read',
      ]),
    );
  });

  it('refuses self-approval: an approver who requests the flip does not count for GAP-7', async () => {
    await armed(['alice', 'bob']);
    const r = await flipWorkflow(fx.session('alice'), { execute: true });
    expect(r.outcome).toBe('refused');
    expect(r.guards.find((g) => g.guard.startsWith("GAP-7's approvals"))).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(/1 of 2 approval\(s\): bob; not counted: alice \(the requester\)/),
    });
    expect(r.message).toMatch(/GAP-7 lacks the approvals it needs from principals other than the requester \(alice\)/);
    expect(await switchText(fx)).toMatch(/= False/);
  });

  it('refuses approvals below the minimum', async () => {
    const { r } = await armed(['alice']);
    expect(r.outcome).toBe('blocked');
    const flip = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(flip.outcome).toBe('refused');
    expect(flip.message).toMatch(/flip refused: the workflow is not armed/);
    expect(flip.message).toMatch(/GAP-7 is OPEN, not CLOSED/);
    expect(flip.message).not.toMatch(/the workflow is armed/);
  });

  it('refuses flip --execute from any state other than armed', async () => {
    const s = fx.session('carol');
    for (const setup of [
      async () => undefined,
      async () => {
        await provisionEverything(fx);
        await advanceAll(fx.session('op'));
        await disableWorkflow(s, 'test');
      },
    ]) {
      await setup();
      const r = await flipWorkflow(s, { execute: true });
      expect(r.outcome).toBe('refused');
      expect(r.guards[0]).toMatchObject({ guard: 'the workflow is armed', ok: false });
    }
    expect(await switchText(fx)).toMatch(/= False/);
  });

  it('stops counting an approval given before a GAP it stands on reopened', async () => {
    await provisionEverything(fx);
    await runSurvey(fx.session('s'));
    await rm(path.join(fx.root, 'var/lib/cutter/runs/revert-dry-run.log'));
    expect((await runSurvey(fx.session('s'))).report.gaps.find((g) => g.id === 'GAP-6')!.status).toBe('PARTIAL');
    await fx.host.provision('GAP-6');
    const { report } = await runSurvey(fx.session('s'));
    expect(report.gaps.find((g) => g.id === 'GAP-6')!.status).toBe('CLOSED');
    expect(report.gaps.find((g) => g.id === 'GAP-8')!.status).toBe('OPEN');
    const list = await listDecisions(fx.session('s'));
    expect(list.approvals.find((a) => a.gap === 'GAP-8')!.why).toMatch(/lapsed: GAP-[68] reopened/);
    expect(list.approvals.find((a) => a.gap === 'GAP-4')!.counts).toBe(true);
  });

  it('keeps an approval when re-probing finds the same results', async () => {
    await provisionEverything(fx);
    for (let i = 0; i < 3; i++) await runSurvey(fx.session('s'));
    const list = await listDecisions(fx.session('s'));
    expect(list.approvals.every((a) => a.counts)).toBe(true);
  });

  it('revokes an approval, and refuses to revoke one that does not stand', async () => {
    await approveGap(fx.session('alice'), 'GAP-7');
    await revokeApproval(fx.session('alice'), 'GAP-7');
    expect((await listDecisions(fx.session('s'))).approvals[0]!.why).toMatch(/revoked/);
    await expect(revokeApproval(fx.session('alice'), 'GAP-7')).rejects.toBeInstanceOf(Refusal);
  });

  it('counts a waiver until it expires, then shows it expired, never waived', async () => {
    const t0 = new Date();
    await waiveGap(fx.session('cto'), 'GAP-5', new Date(t0.getTime() + 3_600_000).toISOString(), 'orchestrator config lands next sprint');
    expect((await runSurvey(fx.session('s'))).report.gaps.find((g) => g.id === 'GAP-5')!.status).toBe('WAIVED');
    const later = fx.session('s', { now: () => new Date(t0.getTime() + 7_200_000) });
    expect((await runSurvey(later)).report.gaps.find((g) => g.id === 'GAP-5')!.status).toBe('OPEN');
    expect((await listDecisions(later)).waivers[0]!.standing).toBe('expired');
  });

  it('refuses waivers where the spec forbids them, and withdraws one with unwaive', async () => {
    const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await expect(waiveGap(fx.session('cto'), 'GAP-3', soon, 'no key yet')).rejects.toThrow(/GAP-3 may not be waived/);
    await expect(waiveGap(fx.session('cto'), 'GAP-7', soon, 'ruling later')).rejects.toThrow(/GAP-7 may not be waived/);
    await expect(waiveGap(fx.session('intern'), 'GAP-5', soon, 'later')).rejects.toThrow(/intern may not waive GAP-5/);
    await expect(waiveGap(fx.session('cto'), 'GAP-5', '2001-01-01', 'past')).rejects.toThrow(/already past/);
    await expect(waiveGap(fx.session('cto'), 'GAP-5', 'next week', 'vague')).rejects.toThrow(/not an ISO 8601 date/);
    await expect(waiveGap(fx.session('cto'), 'GAP-5', '2999-01-01', 'forever')).rejects.toThrow(/more than the 30 days/);
    await waiveGap(fx.session('cto'), 'GAP-5', soon, 'later');
    await unwaiveGap(fx.session('cto'), 'GAP-5');
    expect((await listDecisions(fx.session('s'))).waivers[0]!.standing).toBe('withdrawn');
  });

  it('halts with the disable run when the flip command fails', async () => {
    await armed();
    const r = await flipWorkflow(fx.session('carol', { env: { ...fx.env, CUTTER_FAIL_ON: 'enable' } }), { execute: true });
    expect(r.outcome).toBe('failed');
    expect(r.report.state).toBe('halted');
    const events = await fx.store.readEvents();
    expect(events.find((e) => e.type === 'flip.command')!.data).toMatchObject({ ok: false, exitCode: 1 });
    expect(events.find((e) => e.type === 'disable.command')!.data).toMatchObject({ ok: true });
    expect(await switchText(fx)).toMatch(/= False/);
  });

  it('halts with the disable run when the switch does not read enabled after the flip command', async () => {
    await armed();
    const r = await flipWorkflow(fx.session('carol', { env: { ...fx.env, CUTTER_NOOP_ON: 'enable' } }), { execute: true });
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(/switch reads safe/);
    expect(r.report.state).toBe('halted');
    expect((await fx.store.readEvents()).some((e) => e.type === 'disable.command')).toBe(true);
  });

  it('disables from every state and resumes only when the switch reads safe', async () => {
    const s = fx.session('op');
    const states: string[] = [];
    const check = async () => {
      const before = (await readStatus(s)).state;
      const r = await disableWorkflow(s, `from ${before}`);
      expect(r.report.state).toBe('halted');
      expect(r.safe).toBe(true);
      states.push(before);
      const back = await resumeWorkflow(s);
      expect(back.resumed).toBe(true);
    };
    await check(); // G1
    await provisionEverything(fx);
    await advanceAll(s); // armed
    await check();
    await flipWorkflow(fx.session('carol'), { execute: true });
    await check(); // flipped
    await disableWorkflow(s, 'halted twice');
    const again = await disableWorkflow(s, 'already halted');
    expect(again.report.state).toBe('halted');
    states.push('halted');
    expect(states).toEqual(['G1', 'armed', 'flipped', 'halted']);
    const sw = path.join(fx.root, 'opt/incomex/dot/cutter/execution.py');
    await writeFile(sw, (await readFile(sw, 'utf8')).replace('= False', '= True'));
    const stuck = await resumeWorkflow(s);
    expect(stuck.resumed).toBe(false);
    expect(stuck.report.state).toBe('halted');
  });

  it('resume starts over from the first gate whose GAPs are not all closed', async () => {
    const s = fx.session('op');
    await provisionEverything(fx);
    await advanceAll(s);
    await disableWorkflow(s, 'maintenance');
    await rm(path.join(fx.root, 'var/lib/cutter/locks'), { recursive: true });
    const r = await resumeWorkflow(s);
    expect(r.resumed).toBe(true);
    expect(r.to).toBe('G2.GAP-5');
  });

  it('watch reports a GAP that reopens after the flip, records it, and disables when the spec says so', async () => {
    await armed();
    await flipWorkflow(fx.session('carol'), { execute: true });
    const quiet = await watchOnce(fx.session('watcher'));
    expect(quiet.reopened).toEqual([]);
    await rm(path.join(fx.root, 'opt/incomex/dot/sql/lifecycle/cut_revert_runbook.sql'));
    const r = await watchOnce(fx.session('watcher'));
    expect(r.reopened).toEqual([
      { gap: 'GAP-6', status: 'PARTIAL' },
      { gap: 'GAP-8', status: 'BLOCKED' },
    ]);
    expect(r.disabled?.safe).toBe(true);
    expect(r.report.state).toBe('halted');
    expect((await fx.store.readEvents()).filter((e) => e.type === 'drift.reopened').map((e) => e.subject)).toEqual(['GAP-6', 'GAP-8']);
  });
});

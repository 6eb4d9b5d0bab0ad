import { afterEach, describe, expect, it } from 'vitest';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { approveGap, listDecisions, waiveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus } from '../../src/runner/actions/survey-advance.js';
import { advanceAll, o8WithWaivers, type SeedFixture, setupSeedHost } from '../support/seed.js';

// The requester is left out by the flip's guard, never by a GAP verdict: a plan records nothing,
// and a refused flip records its refusal and nothing that moves state or standing.
describe('the flip plan is read-only and the requester is a rule of the flip guard', () => {
  let fx: SeedFixture;
  afterEach(() => fx?.cleanup());

  async function armedBy(gap7: string[], waiveGap5?: string) {
    fx = await setupSeedHost({ edit: o8WithWaivers(['cto', 'alice']) });
    for (const g of ['GAP-3', 'GAP-6', 'GAP-9'] as const) await fx.host.provision(g);
    if (waiveGap5)
      await waiveGap(
        fx.session(waiveGap5),
        'GAP-5',
        new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
        'orchestrator config lands next sprint',
      );
    else await fx.host.provision('GAP-5');
    await approveGap(fx.session('dq4-board'), 'GAP-4');
    await approveGap(fx.session('release-manager'), 'GAP-8');
    for (const p of gap7) await approveGap(fx.session(p), 'GAP-7');
    expect((await advanceAll(fx.session('operator'))).outcome).toBe('armed');
  }

  const snapshot = async () => ({
    events: (await fx.store.readEvents()).length,
    state: (await readStatus(fx.session('reader'))).state,
    standings: (await listDecisions(fx.session('reader'))).approvals.map((a) => `${a.gap} ${a.principal} ${a.counts ? 'counts' : a.why}`),
  });

  it('a plan and a refused flip --execute by an approver leave state and every approval as they were', async () => {
    await armedBy(['alice', 'bob']);
    const before = await snapshot();
    expect(before.standings.every((s) => s.endsWith('counts'))).toBe(true);

    const plan = await flipWorkflow(fx.session('Alice'), { execute: false });
    expect(plan.outcome).toBe('refused');
    expect(plan.recorded).toEqual([]);
    expect(plan.message).toMatch(
      /the flip would be refused: GAP-7 lacks the approvals it needs from principals other than the requester \(alice\)/,
    );
    expect(await snapshot()).toEqual(before);

    const refused = await flipWorkflow(fx.session('alice'), { execute: true });
    expect(refused.outcome).toBe('refused');
    expect(refused.recorded.map((e) => e.type)).toEqual(['flip.refused']);
    expect(refused.guards.find((g) => g.guard === 'GAP-7 is CLOSED')?.ok).toBe(true);
    const after = await snapshot();
    expect(after).toEqual({ ...before, events: before.events + 1 });

    const carol = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(carol.outcome, carol.message).toBe('flipped');
  });

  it('a waiver by the requester does not count at that flip; the same waiver counts when someone else flips', async () => {
    await armedBy(['alice', 'bob'], 'cto');
    const own = await flipWorkflow(fx.session('cto'), { execute: true });
    expect(own.outcome).toBe('refused');
    expect(own.message).toMatch(/GAP-5's only standing waiver is the requester's own \(cto\)/);
    expect((await readStatus(fx.session('reader'))).state).toBe('armed');
    const carol = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(carol.outcome, carol.message).toBe('flipped');
  });
});

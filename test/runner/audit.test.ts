import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApproval, waiveGap } from '../../src/runner/actions/signoffs.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { auditLedger } from '../../src/runner/read-models/audit.js';
import { sealEvents } from '../../src/store/chain.js';
import type { LedgerEvent, NewEvent } from '../../src/store/types.js';
import { advanceAll, o8WithWaivers, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

describe('audit of the O8 workflow taken to armed, then a sign-off revoked', () => {
  let fx: SeedFixture;
  let events: LedgerEvent[];
  let gates: { gate: string; gaps: string[] }[];
  beforeAll(async () => {
    fx = await setupSeedHost({ edit: o8WithWaivers(['risk-owner'], ['GAP-8']) });
    await provisionEverything(fx, { gap7: ['alice', 'bob'] });
    const r = await advanceAll(fx.session('operator'));
    expect(r.outcome).toBe('armed');
    await revokeApproval(fx.session('release-manager'), 'GAP-8');
    await runSurvey(fx.session('night-watch'));
    await waiveGap(fx.session('risk-owner'), 'GAP-8', inTwoWeeks, 'target chosen out of band');
    await runSurvey(fx.session('night-watch'));
    events = await fx.store.readEvents();
    gates = fx.session().plan.steps.map((s) => ({ gate: s.gate, gaps: s.gaps }));
  });
  afterAll(() => fx?.cleanup());

  it('names, for every GAP, the event that closed it: who ran it, in which round, through which checks, on what evidence', () => {
    const report = auditLedger(events, { gates });
    expect(report.gaps.map((g) => g.gap).sort()).toEqual(fx.wf.spec.gaps.map((g) => g.id).sort());
    for (const g of report.gaps) {
      const closed = g.closedBy!;
      expect(closed, g.gap).toBeDefined();
      const event = events.find((e) => e.seq === closed.seq)!;
      expect(event).toMatchObject({ type: 'gap.status', subject: g.gap, actor: closed.actor });
      expect(['CLOSED', 'WAIVED']).toContain(closed.to);
      const ids = fx.wf.spec.gaps.find((s) => s.id === g.gap)!.checks.map((c) => `${g.gap}/${c.id}`);
      expect(closed.checks.map((c) => c.ref)).toEqual(ids);
      expect(closed.evidenceDigest).toMatchObject({ matches: true });
      for (const c of closed.checks) expect(c.evidence.length).toBeGreaterThan(0);
    }
  });

  it('lists the sign-offs that stood when an approval-gated GAP closed', () => {
    const report = auditLedger(events, { gates });
    const by = (id: string) => report.gaps.find((g) => g.gap === id)!;
    expect(
      by('GAP-7')
        .closedBy!.signoffs.map((s) => s.principal)
        .sort(),
    ).toEqual(['alice', 'bob']);
    expect(by('GAP-4').closedBy!.signoffs.map((s) => s.principal)).toEqual(['dq4-board']);
    expect(by('GAP-7').closedBy!.checks.find((c) => c.kind === 'approval')!.evidence).toMatch(/alice/);
  });

  it('names who and what reopened a GAP: the survey after the revoked sign-off, with the failing check', () => {
    const gap8 = auditLedger(events, { subject: 'GAP-8', gates }).gaps[0]!;
    const reopened = gap8.reopenedBy!;
    expect(reopened).toMatchObject({ actor: 'night-watch', from: 'CLOSED', kind: 'reopened', scope: 'survey' });
    expect(reopened.checks.find((c) => c.kind === 'approval')!.status).toBe('fail');
    const revoked = events.find((e) => e.type === 'approval.revoked')!;
    expect(reopened.seq).toBeGreaterThan(revoked.seq);
    expect(reopened.signoffs).toEqual([]);
  });

  it('shows a waived GAP as closed by its waiver: who waived it, until when, and why', () => {
    const gap8 = auditLedger(events, { subject: 'GAP-8', gates }).gaps[0]!;
    expect(gap8.status).toBe('WAIVED');
    expect(gap8.closedBy).toMatchObject({
      kind: 'waived',
      to: 'WAIVED',
      waiver: { principal: 'risk-owner', reason: 'target chosen out of band' },
    });
    expect(gap8.closedBy!.waiver!.until).toMatch(new RegExp(`^${inTwoWeeks}`));
  });

  it('narrows the timeline to a GAP: its status changes, sign-offs and the machine entering or leaving it', () => {
    const r = auditLedger(events, { subject: 'GAP-4', gates });
    expect(r.gaps.map((g) => g.gap)).toEqual(['GAP-4']);
    expect(r.timeline.length).toBeGreaterThan(2);
    for (const t of r.timeline) {
      const e = events.find((x) => x.seq === t.seq)!;
      expect(e.subject === 'GAP-4' || [e.from, e.to].some((s) => s?.endsWith('.GAP-4')), JSON.stringify(t)).toBe(true);
    }
    expect(r.timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['gap.status', 'approval.granted', 'transition']));
  });

  it("narrows to a gate: that gate's GAPs and transitions only", () => {
    const r = auditLedger(events, { subject: 'G2', gates });
    expect(r.gaps.map((g) => g.gap).sort()).toEqual(['GAP-3', 'GAP-4', 'GAP-5']);
    for (const t of r.timeline) {
      const about = ['G2', 'GAP-3', 'GAP-4', 'GAP-5'].includes(t.subject ?? '') || [t.from, t.to].some((s) => s?.startsWith('G2.'));
      expect(about, JSON.stringify(t)).toBe(true);
    }
    // Leaving the gate counts: the transition into G3 starts in G2.
    expect(r.timeline.some((t) => t.type === 'transition' && t.from?.startsWith('G2.') && t.to?.startsWith('G3.'))).toBe(true);
  });

  it('narrows to an actor: only the events that actor recorded', () => {
    const r = auditLedger(events, { actor: 'night-watch', gates });
    expect(r.timeline.length).toBeGreaterThan(0);
    expect(r.timeline.every((t) => t.actor === 'night-watch')).toBe(true);
    expect(r.timeline.length).toBe(events.filter((e) => e.actor === 'night-watch').length);
    // An approver ran no probe, but their sign-off stood behind a closing: that closing is theirs to answer for.
    const alice = auditLedger(events, { actor: 'alice', gates });
    expect(alice.gaps.map((g) => g.gap)).toEqual(['GAP-7']);
    expect(alice.gaps[0]!.closedBy!.signoffs.map((s) => s.principal)).toContain('alice');
    expect(alice.timeline.map((t) => t.type)).toEqual(['approval.granted']);
  });

  it('accounts for every event in one timeline line, in ledger order', () => {
    const r = auditLedger(events);
    expect(r.timeline.map((t) => t.seq)).toEqual(events.map((e) => e.seq));
    expect(r.timeline.every((t) => t.summary.length > 0 && !t.summary.includes('[object Object]'))).toBe(true);
  });
});

describe('audit of evidence that does not match its round', () => {
  it("flags a GAP change whose evidence digest differs from the survey's check records", () => {
    const check = {
      ref: 'GAP-1/c',
      id: 'c',
      kind: 'file',
      owner: { kind: 'gap', id: 'GAP-1' },
      status: 'pass',
      evidence: 'present',
      ms: 3,
    };
    const survey: NewEvent = {
      type: 'survey',
      actor: 'a',
      cause: { kind: 'probe', checks: ['GAP-1/c'], digest: 'x' },
      data: {
        scope: 'survey',
        killSwitch: { status: 'safe', evidence: '' },
        gaps: { 'GAP-1': { status: 'CLOSED', own: 'CLOSED', blockedBy: [] } },
        checks: [check],
      },
    };
    const change: NewEvent = {
      type: 'gap.status',
      actor: 'a',
      subject: 'GAP-1',
      from: 'OPEN',
      to: 'CLOSED',
      cause: { kind: 'probe', checks: ['GAP-1/c'], digest: '0'.repeat(64), evidence: ['c: pass — present'] },
    };
    const r = auditLedger(sealEvents(undefined, 'wf', [survey, change]));
    expect(r.gaps[0]!.closedBy!.evidenceDigest).toEqual({ recorded: '0'.repeat(64), matches: false });
  });
});

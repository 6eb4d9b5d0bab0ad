import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { planMachine } from '../../src/machine/plan.js';
import type { GapStatus, WorkflowEvent } from '../../src/machine/types.js';
import { invariantContext, invariants, report } from '../../src/model/invariants.js';
import { parseWorkflow } from '../../src/spec/load.js';
import { isWaivable } from '../../src/spec/waivers.js';

// O8 names no one who may waive; this copy lets one principal waive, so some GAPs are waivable.
const o8 = await readFile('machines/o8-production-readiness.yaml', 'utf8');
const wf = parseWorkflow(o8.replace(/^gates:$/m, 'waivers: { by: [risk-owner] }\ngates:'), 'o8-waivable.yaml');
const ctx = invariantContext(wf.spec, planMachine(wf.spec));
const gapIds = wf.spec.gaps.map((g) => g.id);
const byId = (id: string) => invariants.find((i) => i.id === id)!;
const closed = (over: Record<string, GapStatus> = {}) => new Map(gapIds.map((g) => [g, over[g] ?? ('CLOSED' as GapStatus)]));
const step = (from: string, event: WorkflowEvent, to: string, reported = closed()) => ({ from, event, to, reported });
const waivable = wf.spec.gaps.find((g) => isWaivable(wf.spec, g))!.id;
const unwaivable = wf.spec.gaps.find((g) => !isWaivable(wf.spec, g))!.id;
const blocked = wf.spec.gaps.find((g) => g.blockedBy?.length)!;

describe('flip-needs-proof', () => {
  const inv = byId('flip-needs-proof');
  const enabled: WorkflowEvent = { type: 'killswitch.read', reading: 'enabled' };

  it('passes a flip when every GAP is CLOSED', () => {
    expect(inv.check(step('flipping', enabled, 'flipped'), ctx)).toBeUndefined();
  });

  it('passes a flip with a WAIVED GAP where the spec allows waivers', () => {
    expect(inv.check(step('flipping', enabled, 'flipped', closed({ [waivable]: 'WAIVED' })), ctx)).toBeUndefined();
  });

  it('flags reaching flipped while a GAP is OPEN, naming it', () => {
    expect(inv.check(step('flipping', enabled, 'flipped', closed({ 'GAP-5': 'OPEN' })), ctx)).toMatch(
      /reached flipped while GAP-5 is OPEN/,
    );
  });

  it('flags a WAIVED GAP whose waivers the spec forbids', () => {
    expect(inv.check(step('flipping', enabled, 'flipped', closed({ [unwaivable]: 'WAIVED' })), ctx)).toContain(`${unwaivable} is WAIVED`);
  });

  it('flags a GAP that was never reported at all', () => {
    const reported = closed();
    reported.delete('GAP-2');
    expect(inv.check(step('flipping', enabled, 'flipped', reported), ctx)).toContain('GAP-2 was never reported');
  });

  it('says nothing about staying flipped (a GAP reopening after the flip is the watch’s business)', () => {
    expect(inv.check(step('flipped', enabled, 'flipped', closed({ 'GAP-5': 'OPEN' })), ctx)).toBeUndefined();
  });
});

describe('unsafe-switch-halts', () => {
  const inv = byId('unsafe-switch-halts');
  for (const reading of ['enabled', 'unreadable'] as const) {
    it(`flags a "${reading}" reading before the flip that does not lead to halted`, () => {
      expect(inv.check(step('G2.GAP-4', { type: 'killswitch.read', reading }, 'G2.GAP-4'), ctx)).toMatch(/not halted/);
      expect(inv.check(step('armed', { type: 'killswitch.read', reading }, 'armed'), ctx)).toMatch(/not halted/);
      expect(inv.check(step('G2.GAP-4', { type: 'killswitch.read', reading }, 'halted'), ctx)).toBeUndefined();
    });
  }

  it('leaves a safe reading, and readings after the flip, alone', () => {
    expect(inv.check(step('G2.GAP-4', { type: 'killswitch.read', reading: 'safe' }, 'G2.GAP-4'), ctx)).toBeUndefined();
    expect(inv.check(step('flipping', { type: 'killswitch.read', reading: 'enabled' }, 'flipped'), ctx)).toBeUndefined();
  });
});

describe('disable-halts', () => {
  const inv = byId('disable-halts');
  it('flags disable that leaves the workflow anywhere but halted', () => {
    expect(inv.check(step('flipped', { type: 'disable' }, 'flipped'), ctx)).toMatch(/disable in flipped led to flipped/);
    expect(inv.check(step('flipped', { type: 'disable' }, 'halted'), ctx)).toBeUndefined();
  });
});

describe('error-is-not-closed', () => {
  const inv = byId('error-is-not-closed');
  it('flags an ERROR verdict that moves a gate forward', () => {
    expect(inv.check(step('G2.GAP-4', { type: 'gap.verdict', gap: 'GAP-4', status: 'ERROR' }, 'G2.GAP-5'), ctx)).toMatch(
      /GAP-4 ERROR moved the workflow forward/,
    );
  });

  it('flags a flip started from a survey holding an ERROR', () => {
    const gaps = Object.fromEntries(closed({ 'GAP-7': 'ERROR' }));
    expect(inv.check(step('armed', { type: 'flip.start', gaps }, 'flipping'), ctx)).toMatch(/GAP-7 ERROR/);
  });

  it('accepts an ERROR that keeps the workflow where it is or sends it back', () => {
    expect(inv.check(step('G2.GAP-4', { type: 'gap.verdict', gap: 'GAP-4', status: 'ERROR' }, 'G2.GAP-4'), ctx)).toBeUndefined();
    expect(inv.check(step('G3.GAP-9', { type: 'gap.verdict', gap: 'GAP-3', status: 'ERROR' }, 'G2.GAP-3'), ctx)).toBeUndefined();
  });
});

describe('only-proof-advances', () => {
  const inv = byId('only-proof-advances');
  it('flags a PARTIAL, OPEN or BLOCKED verdict that moves a gate forward', () => {
    for (const status of ['PARTIAL', 'OPEN', 'BLOCKED'] as const) {
      expect(inv.check(step('G1.GAP-1', { type: 'gap.verdict', gap: 'GAP-1', status }, 'G1.GAP-2'), ctx)).toContain(
        `GAP-1 ${status} moved`,
      );
    }
  });

  it('flags a forbidden waiver that moves a gate forward, and accepts an allowed one', () => {
    const at = (gap: string) => wf.spec.gates.find((g) => g.requires.includes(gap))!.id;
    expect(
      inv.check(
        step(`${at(unwaivable)}.${unwaivable}`, { type: 'gap.verdict', gap: unwaivable, status: 'WAIVED' }, `${at(unwaivable)}.passed`),
        ctx,
      ),
    ).toMatch(/waivers forbidden/);
    expect(
      inv.check(
        step(`${at(waivable)}.${waivable}`, { type: 'gap.verdict', gap: waivable, status: 'WAIVED' }, `${at(waivable)}.passed`),
        ctx,
      ),
    ).toBeUndefined();
  });
});

describe('blocker-first', () => {
  const inv = byId('blocker-first');
  const gate = wf.spec.gates.find((g) => g.requires.includes(blocked.id))!.id;
  const proveBlocked: WorkflowEvent = { type: 'gap.verdict', gap: blocked.id, status: 'CLOSED' };

  it(`flags ${blocked.id} proven while its blocker is not`, () => {
    const blocker = blocked.blockedBy![0]!;
    expect(inv.check(step(`${gate}.${blocked.id}`, proveBlocked, `${gate}.passed`, closed({ [blocker]: 'OPEN' })), ctx)).toContain(
      `${blocker} is OPEN`,
    );
  });

  it(`accepts ${blocked.id} proven once every blocker is CLOSED`, () => {
    expect(inv.check(step(`${gate}.${blocked.id}`, proveBlocked, `${gate}.passed`), ctx)).toBeUndefined();
  });
});

describe('the reported statuses', () => {
  it('follow verdicts, and a flip’s survey replaces them', () => {
    const reported = new Map<string, GapStatus>();
    report(reported, { type: 'gap.verdict', gap: 'GAP-1', status: 'OPEN' });
    expect(reported.get('GAP-1')).toBe('OPEN');
    report(reported, { type: 'flip.start', gaps: { 'GAP-1': 'CLOSED' } });
    expect(reported.get('GAP-1')).toBe('CLOSED');
    report(reported, { type: 'disable' });
    expect(reported.get('GAP-1')).toBe('CLOSED');
  });
});

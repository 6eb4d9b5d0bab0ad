import { describe, expect, it } from 'vitest';
import { describeEvent, type NewRecordedEvent } from '../../src/runner/engine/events.js';
import { auditLedger } from '../../src/runner/read-models/audit.js';
import { timeline } from '../../src/serve/timeline.js';
import { sealEvents } from '../../src/store/chain.js';

const check = {
  ref: 'GAP-3/key',
  id: 'key',
  kind: 'file',
  owner: { kind: 'gap' as const, id: 'GAP-3' },
  status: 'pass' as const,
  evidence: 'present',
  ms: 1,
};
const op = (command: string) => ({ kind: 'operator' as const, command });

// One of every event flipgate records.
const every: NewRecordedEvent[] = [
  {
    type: 'workflow.anchored',
    actor: 'a',
    cause: op('anchor'),
    to: 'f'.repeat(64),
    data: { specHash: 'f'.repeat(64), sourceHash: 'e'.repeat(64), file: 'wf.yaml', workflow: 'wf', title: 'T', vars: {} },
  },
  { type: 'transition', actor: 'a', cause: op('start'), to: 'G1.GAP-3', data: undefined },
  {
    type: 'survey',
    actor: 'a',
    cause: { kind: 'probe', checks: ['GAP-3/key'], digest: 'd' },
    data: {
      scope: 'survey',
      killSwitch: { status: 'safe', evidence: 'off' },
      gaps: { 'GAP-3': { status: 'CLOSED', own: 'CLOSED', blockedBy: [] } },
      checks: [check],
    },
  },
  {
    type: 'gap.status',
    actor: 'a',
    subject: 'GAP-3',
    from: 'OPEN',
    to: 'CLOSED',
    cause: { kind: 'probe', checks: ['GAP-3/key'], digest: 'd' },
    data: { own: 'CLOSED', blockedBy: [], waived: false },
  },
  {
    type: 'transition',
    actor: 'a',
    cause: { kind: 'probe', checks: ['GAP-3/key'], digest: 'd' },
    from: 'G1.GAP-3',
    to: 'G1.passed',
    subject: 'G1',
    data: { event: { type: 'gap.verdict', gap: 'GAP-3', status: 'CLOSED' } },
  },
  { type: 'survey', actor: 'w', cause: { kind: 'repeat', of: 3 }, data: { scope: 'watch' } },
  {
    type: 'approval.granted',
    actor: 'alice',
    subject: 'GAP-7',
    cause: { kind: 'approval', principal: 'alice' },
    data: { head: 'h', headSeq: 5, note: 'ruling' },
  },
  { type: 'approval.revoked', actor: 'alice', subject: 'GAP-7', cause: { kind: 'approval', principal: 'alice' }, data: {} },
  {
    type: 'waiver.granted',
    actor: 'cto',
    subject: 'GAP-5',
    cause: { kind: 'waiver', principal: 'cto' },
    data: { until: '2999-01-01T23:59:59.999Z', reason: 'later' },
  },
  { type: 'waiver.withdrawn', actor: 'cto', subject: 'GAP-5', cause: { kind: 'waiver', principal: 'cto' }, data: {} },
  {
    type: 'flip.refused',
    actor: 'carol',
    cause: op('flip --execute'),
    data: { guards: [{ guard: 'the workflow is armed', ok: false, evidence: 'G1' }] },
  },
  { type: 'flip.requested', actor: 'carol', cause: op('flip --execute'), data: { guards: [], command: ['webctl', 'on'] } },
  { type: 'flip.command', actor: 'carol', cause: op('flip --execute'), data: { argv: ['webctl', 'on'], exitCode: 0, ok: true } },
  {
    type: 'killswitch.read',
    actor: 'carol',
    cause: { kind: 'probe', checks: ['killSwitch'], digest: 'd' },
    data: { reading: 'enabled', evidence: 'on' },
  },
  { type: 'flip.completed', actor: 'carol', cause: op('flip --execute'), data: { killSwitch: 'on' } },
  {
    type: 'drift.reopened',
    actor: 'w',
    subject: 'GAP-3',
    to: 'OPEN',
    cause: { kind: 'probe', checks: ['GAP-3/key'], digest: 'd' },
    data: { after: 'flip' },
  },
  { type: 'disable.requested', actor: 'carol', cause: op('disable'), data: { reason: 'drift', from: 'flipped' } },
  { type: 'disable.command', actor: 'carol', cause: op('disable: drift'), data: { argv: null, ok: false, problem: 'no disable command' } },
  {
    type: 'ledger.adopted',
    actor: 'ops',
    cause: op('signing started'),
    data: { adopts: { seq: 18, hash: 'a'.repeat(64) }, keyId: '0123456789abcdef' },
  },
];

describe('one description of every event, for the audit and the dashboard alike', () => {
  const events = sealEvents(undefined, 'wf', every);

  it('says what each event means in one line, never an object dump', () => {
    const lines = events.map(describeEvent);
    for (const [i, line] of lines.entries()) {
      expect(line, every[i]!.type).toMatch(/\S/);
      expect(line).not.toMatch(/\[object Object\]|undefined/);
    }
    expect(lines[3]).toBe('GAP-3: OPEN → CLOSED');
    expect(lines[4]).toBe('G1.GAP-3 → G1.passed on gap.verdict GAP-3 CLOSED');
    expect(lines[5]).toBe('watch round: the same results as event 3');
    expect(lines[18]).toMatch(/^signing began \(key 0123456789abcdef\): events 1…18 were recorded unsigned/);
    expect(describeEvent({ ...events[0]!, type: 'test.write', subject: 'X', to: undefined })).toBe('test.write X');
  });

  it('is what the audit timeline and the dashboard timeline both print', () => {
    const audit = auditLedger(events).timeline.map((t) => t.summary);
    const dashboard = timeline(events, {})
      .map((r) => r.what)
      .reverse();
    expect(dashboard).toEqual(audit);
    expect(
      timeline(events, { gap: 'GAP-3' })
        .map((r) => r.what)
        .every((w) => w.includes('GAP-3')),
    ).toBe(true);
  });
});

import type { MachinePlan } from '../machine/plan.js';
import type { GapStatus, SwitchReading, WorkflowEvent } from '../machine/types.js';

/** Proving statuses first, so the shortest paths prove GAPs with CLOSED and reopen them with OPEN. */
export const modelStatuses: readonly GapStatus[] = ['CLOSED', 'WAIVED', 'OPEN', 'PARTIAL', 'BLOCKED', 'ERROR'];
export const modelReadings: readonly SwitchReading[] = ['safe', 'enabled', 'unreadable'];

/** Every GAP CLOSED: the payload of a flip that must go through. */
export function allClosed(plan: MachinePlan): Record<string, GapStatus> {
  return Object.fromEntries([...plan.gaps.keys()].map((id) => [id, 'CLOSED' as GapStatus]));
}

/**
 * The flip payloads the model tries: every GAP CLOSED; every waivable GAP WAIVED; and, for each GAP,
 * one survey that leaves only that GAP unproven (OPEN, ERROR, and WAIVED where waivers are forbidden).
 */
export function flipPayloads(plan: MachinePlan): Record<string, GapStatus>[] {
  const closed = allClosed(plan);
  const gaps = [...plan.gaps.values()];
  const out = [closed];
  if (gaps.some((g) => g.waivable)) out.push(Object.fromEntries(gaps.map((g) => [g.id, g.waivable ? 'WAIVED' : 'CLOSED'])));
  for (const g of gaps) {
    out.push({ ...closed, [g.id]: 'OPEN' }, { ...closed, [g.id]: 'ERROR' });
    if (!g.waivable) out.push({ ...closed, [g.id]: 'WAIVED' });
  }
  return out;
}

type FlipStart = Extract<WorkflowEvent, { type: 'flip.start' }>;

/**
 * The flip.start events the model tries: each payload; where the spec requires signatures, each with
 * verified sign-offs, and every GAP CLOSED with unsigned or with replayed sign-offs.
 */
export function flipStarts(plan: MachinePlan): FlipStart[] {
  if (!plan.signed) return flipPayloads(plan).map((gaps) => ({ type: 'flip.start', gaps }));
  const proofs = ['unsigned', 'replayed'] as const;
  return [
    ...flipPayloads(plan).map((gaps): FlipStart => ({ type: 'flip.start', gaps, signoffs: 'verified' })),
    ...proofs.map((signoffs): FlipStart => ({ type: 'flip.start', gaps: allClosed(plan), signoffs })),
  ];
}

/**
 * The events the traversal sends in every state, each with an explicit payload (inferred events
 * would miss payloads): a verdict for each GAP × each status, each kill-switch reading, gate.advance,
 * each flip payload, flip.failed, disable, and resume with each reading.
 */
export function modelEvents(plan: MachinePlan): WorkflowEvent[] {
  const events: WorkflowEvent[] = [];
  for (const gap of plan.gaps.keys()) for (const status of modelStatuses) events.push({ type: 'gap.verdict', gap, status });
  for (const reading of modelReadings) events.push({ type: 'killswitch.read', reading });
  events.push({ type: 'gate.advance' });
  events.push(...flipStarts(plan));
  events.push({ type: 'flip.failed' }, { type: 'disable' });
  for (const reading of modelReadings) events.push({ type: 'resume', reading });
  return events;
}

function payloadLabel(gaps: Record<string, GapStatus>): string {
  const odd = Object.entries(gaps).filter(([, s]) => s !== 'CLOSED');
  if (!odd.length) return 'all CLOSED';
  if (odd.every(([, s]) => s === 'WAIVED') && odd.length > 2) return `${odd.length} WAIVED`;
  return odd.map(([id, s]) => `${id} ${s}`).join(', ');
}

/** A short, unique, readable name for an event: `GAP-3 OPEN`, `switch enabled`, `flip.start[GAP-3 OPEN]`. */
export function eventLabel(e: WorkflowEvent): string {
  switch (e.type) {
    case 'gap.verdict':
      return `${e.gap} ${e.status}`;
    case 'killswitch.read':
      return `switch ${e.reading}`;
    case 'resume':
      return `resume[${e.reading}]`;
    case 'flip.start':
      return `flip.start[${payloadLabel(e.gaps)}${e.signoffs && e.signoffs !== 'verified' ? `, sign-offs ${e.signoffs}` : ''}]`;
    default:
      return e.type;
  }
}

/** A stable key for an event (its type and full payload). */
export const eventKey = (e: WorkflowEvent): string => JSON.stringify(e);

import type { MachinePlan } from '../machine/plan.js';
import type { GapStatus, WorkflowEvent } from '../machine/types.js';
import type { Workflow } from '../spec/schema.js';
import { isWaivable } from '../spec/waivers.js';

/** What the invariants know: the spec's GAPs (not the machine's guards) and the gate layout. */
export interface InvariantContext {
  gaps: Map<string, { waivable: boolean; blockedBy: string[] }>;
  /** Position along the way to the flip: gate substates in order, then armed, flipping, flipped; halted is -1. */
  rank(state: string): number;
  /** A gate state or armed: before the flip. */
  beforeFlip(state: string): boolean;
  /** The spec requires signed approvals and waivers. */
  signed: boolean;
}

/** One step of a path, with the GAP statuses reported so far (this step's event included). */
export interface StepFacts {
  from: string;
  event: WorkflowEvent;
  to: string;
  reported: ReadonlyMap<string, GapStatus>;
}

export interface Invariant {
  id: string;
  /** The property, as a sentence. */
  statement: string;
  /** What went wrong at this step, or undefined when the step keeps the property. */
  check(step: StepFacts, ctx: InvariantContext): string | undefined;
}

export function invariantContext(spec: Workflow, plan: MachinePlan): InvariantContext {
  const gaps = new Map(spec.gaps.map((g) => [g.id, { waivable: isWaivable(spec, g), blockedBy: g.blockedBy ?? [] }]));
  const line = [...plan.steps.flatMap((s) => [...s.gaps.map((g) => `${s.gate}.${g}`), `${s.gate}.passed`]), 'armed', 'flipping', 'flipped'];
  const ranks = new Map(line.map((label, i) => [label, i]));
  const gates = new Set(plan.steps.map((s) => s.gate));
  return {
    gaps,
    rank: (state) => (state === 'halted' ? -1 : (ranks.get(state) ?? Number.NaN)),
    beforeFlip: (state) => state === 'armed' || gates.has(state.split('.')[0]!),
    signed: !!spec.approvals?.signed,
  };
}

/** CLOSED, or WAIVED where the spec allows waivers — read from the spec, not from the machine's guards. */
function proves(ctx: InvariantContext, gap: string, status: GapStatus | undefined): boolean {
  return status === 'CLOSED' || (status === 'WAIVED' && ctx.gaps.get(gap)?.waivable !== false);
}

const describe = (gap: string, status: GapStatus | undefined) => (status ? `${gap} is ${status}` : `${gap} was never reported`);

/** Updates the reported statuses with what an event says (a flip carries a fresh survey). */
export function report(reported: Map<string, GapStatus>, event: WorkflowEvent): void {
  if (event.type === 'gap.verdict') reported.set(event.gap, event.status);
  if (event.type === 'flip.start') for (const [gap, status] of Object.entries(event.gaps)) reported.set(gap, status);
}

export const invariants: Invariant[] = [
  {
    id: 'flip-needs-proof',
    statement: 'flipped is never reached while a GAP is not CLOSED (or validly WAIVED)',
    check: ({ from, to, reported }, ctx) => {
      if (to !== 'flipped' || from === 'flipped') return undefined;
      const open = [...ctx.gaps.keys()].filter((g) => !proves(ctx, g, reported.get(g)));
      return open.length ? `reached flipped while ${open.map((g) => describe(g, reported.get(g))).join(', ')}` : undefined;
    },
  },
  {
    id: 'unsafe-switch-halts',
    statement: 'a kill switch reading "execution enabled" (or unreadable) before the flip leads to halted',
    check: ({ from, event, to }, ctx) =>
      event.type === 'killswitch.read' && event.reading !== 'safe' && ctx.beforeFlip(from) && to !== 'halted'
        ? `the kill switch read ${event.reading} in ${from} and the workflow went to ${to}, not halted`
        : undefined,
  },
  {
    id: 'disable-halts',
    statement: 'disable from every state ends in halted',
    check: ({ from, event, to }) =>
      event.type === 'disable' && to !== 'halted' ? `disable in ${from} led to ${to}, not halted` : undefined,
  },
  {
    id: 'flip-needs-signed-approvals',
    statement: 'where the spec requires signed approvals, no flip starts on a survey whose sign-offs are unsigned or replayed',
    check: ({ from, event, to }, ctx) =>
      ctx.signed && event.type === 'flip.start' && event.signoffs !== 'verified' && to !== from && to !== 'halted'
        ? `a flip survey with ${event.signoffs ?? 'unverified'} sign-offs moved the workflow from ${from} to ${to}`
        : undefined,
  },
  {
    id: 'disable-ends-safe',
    statement: 'disable ends safe from every state: after it the workflow stays halted until a resume whose kill switch reads safe',
    check: ({ from, event, to }) =>
      from === 'halted' && to !== 'halted' && !(event.type === 'resume' && event.reading === 'safe')
        ? `${event.type}${'reading' in event ? ` (${event.reading})` : ''} left halted for ${to} without a safe reading`
        : undefined,
  },
  {
    id: 'error-is-not-closed',
    statement: 'ERROR never counts as CLOSED: a verdict or a flip survey holding an ERROR never moves the workflow forward',
    check: ({ from, event, to }, ctx) => {
      if (!(ctx.rank(to) > ctx.rank(from))) return undefined;
      if (event.type === 'gap.verdict' && event.status === 'ERROR')
        return `${event.gap} ERROR moved the workflow forward from ${from} to ${to}`;
      const errors = event.type === 'flip.start' ? Object.keys(event.gaps).filter((g) => event.gaps[g] === 'ERROR') : [];
      return errors.length
        ? `a flip survey with ${errors.map((g) => `${g} ERROR`).join(', ')} moved the workflow from ${from} to ${to}`
        : undefined;
    },
  },
  {
    id: 'only-proof-advances',
    statement:
      'a verdict that does not prove its GAP (OPEN, PARTIAL, BLOCKED, or WAIVED where waivers are forbidden) never moves a gate forward',
    check: ({ from, event, to }, ctx) =>
      event.type === 'gap.verdict' && event.status !== 'ERROR' && !proves(ctx, event.gap, event.status) && ctx.rank(to) > ctx.rank(from)
        ? `${event.gap} ${event.status}${event.status === 'WAIVED' ? ' (waivers forbidden)' : ''} moved the workflow forward from ${from} to ${to}`
        : undefined,
  },
  {
    id: 'blocker-first',
    statement: 'a BLOCKED GAP cannot close before its blocker: a GAP is proven only while every GAP it is blockedBy is proven',
    check: ({ from, event, to, reported }, ctx) => {
      if (event.type !== 'gap.verdict' || !proves(ctx, event.gap, event.status) || !(ctx.rank(to) > ctx.rank(from))) return undefined;
      const open = (ctx.gaps.get(event.gap)?.blockedBy ?? []).filter((b) => !proves(ctx, b, reported.get(b)));
      return open.length
        ? `${event.gap} was proven (${from} → ${to}) while its blocker ${open.map((b) => describe(b, reported.get(b))).join(', ')}`
        : undefined;
    },
  },
];

import type { GapStatus, SwitchReading, WorkflowEvent } from './types.js';

/** A status that lets a GAP count as proven: CLOSED, or WAIVED where the spec allows waivers. */
export function satisfies(status: GapStatus, waivable: boolean): boolean {
  return status === 'CLOSED' || (status === 'WAIVED' && waivable);
}

type GuardArgs = { event: WorkflowEvent };
export type GapRef = { gap: string; waivable: boolean };

/** Named guards of the workflow machine; each takes the event and static parameters. */
export const guards = {
  /** The verdict is for this GAP and proves it. */
  verdictProves: ({ event }: GuardArgs, p: GapRef) =>
    event.type === 'gap.verdict' && event.gap === p.gap && satisfies(event.status, p.waivable),
  /** The verdict is for this GAP and does not prove it (it reopened). */
  verdictReopens: ({ event }: GuardArgs, p: GapRef) =>
    event.type === 'gap.verdict' && event.gap === p.gap && !satisfies(event.status, p.waivable),
  /** Every blocker of the GAP is proven before it in the gate order. */
  blockersPrecede: (_: GuardArgs, p: { gap: string; late: string[] }) => p.late.length === 0,
  /** The kill switch reads anything but "execution disabled". */
  switchUnsafe: ({ event }: GuardArgs) => 'reading' in event && event.reading !== 'safe',
  switchSafe: ({ event }: GuardArgs) => 'reading' in event && event.reading === 'safe',
  switchEnabled: ({ event }: GuardArgs) => 'reading' in event && event.reading === ('enabled' satisfies SwitchReading),
  /** A fresh survey proves every GAP of the workflow, with verified sign-offs where the spec requires signatures. */
  allGapsProven: ({ event }: GuardArgs, p: { gaps: GapRef[]; signed: boolean }) =>
    event.type === 'flip.start' &&
    (!p.signed || event.signoffs === 'verified') &&
    p.gaps.every((g) => event.gaps[g.gap] !== undefined && satisfies(event.gaps[g.gap]!, g.waivable)),
};

export const gapStatuses = ['OPEN', 'PARTIAL', 'CLOSED', 'BLOCKED', 'ERROR', 'WAIVED'] as const;
export type GapStatus = (typeof gapStatuses)[number];

export const switchReadings = ['safe', 'enabled', 'unreadable'] as const;
/** safe: execution is still disabled (ON-by-safety); enabled: execution is on; unreadable: neither reading is proven (the safe check and the enabled check disagree, or a check cannot run). */
export type SwitchReading = (typeof switchReadings)[number];

/** What the runtime tells the machine. Probe verdicts arrive as events; the machine does no I/O. */
export type WorkflowEvent =
  | { type: 'gap.verdict'; gap: string; status: GapStatus }
  | { type: 'killswitch.read'; reading: SwitchReading }
  | { type: 'gate.advance' }
  | { type: 'flip.start'; gaps: Record<string, GapStatus>; signoffs?: SignoffProof }
  | { type: 'flip.failed' }
  | { type: 'disable' }
  | { type: 'resume'; reading: SwitchReading };

/**
 * What the flip's survey says of the sign-offs it counted, where the spec requires signatures:
 * verified (each signed by its principal's key over the history it joined), or the first problem.
 */
export type SignoffProof = 'verified' | 'unsigned' | 'replayed';

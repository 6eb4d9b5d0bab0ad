import type { Gap, Workflow } from './schema.js';

/** How long a waiver may run when the workflow does not say. */
export const defaultWaiverDays = 30;

/** Who may waive a GAP and for how long, or why nobody may. */
export type WaiverPolicy =
  | {
      allowed: true;
      gap: string;
      /** The principals allowed to waive or unwaive, groups expanded, normalised. */
      by: string[];
      /** The list as the spec writes it (with @groups), for messages. */
      byAsWritten: string[];
      /** A waiver expires at the latest at the end of the day (UTC) this many days after it is given. */
      maxDays: number;
      /** Where the rule comes from: the GAP's own `waivers:` or the workflow's. */
      from: 'gap' | 'workflow';
    }
  | { allowed: false; gap: string; problem: string; fix: string };

/** Principals of a list that may hold `@group` references, expanded and deduplicated. */
export function expandPrincipals(spec: Workflow, names: readonly string[]): string[] {
  const groups = spec.groups ?? {};
  return [...new Set(names.flatMap((p) => (p.startsWith('@') ? (groups[p.slice(1)] ?? []) : [p])))];
}

export const hasApprovalCheck = (gap: Gap): boolean => gap.checks.some((c) => c.kind === 'approval');

/**
 * The waiver rule for one GAP, in order: `waivable: false` forbids; a GAP with an approval check
 * is not waivable unless it says `waivable: true` (a waiver must not stand in for a sign-off);
 * someone must be named in `waivers.by` (the GAP's, else the workflow's); `maxDays` is the GAP's,
 * else the workflow's, else 30. The machine, the invariants, the standing of recorded waivers and
 * the `waive` command all read it from here.
 * @example
 * waiverPolicy(spec, 'GAP-5'); // { allowed: true, by: ['alice', 'bob', 'carol'], maxDays: 30, … }
 */
export function waiverPolicy(spec: Workflow, gapOrId: Gap | string): WaiverPolicy {
  const gap = typeof gapOrId === 'string' ? spec.gaps.find((g) => g.id === gapOrId) : gapOrId;
  const id = typeof gapOrId === 'string' ? gapOrId : gapOrId.id;
  if (!gap)
    return {
      allowed: false,
      gap: id,
      problem: `"${id}" is not a GAP of workflow ${spec.id}`,
      fix: `use one of ${spec.gaps.map((g) => g.id).join(', ')}`,
    };
  if (gap.waivable === false)
    return { allowed: false, gap: id, problem: `${id} may not be waived (waivable: false)`, fix: 'close it instead' };
  if (hasApprovalCheck(gap) && gap.waivable !== true) {
    return {
      allowed: false,
      gap: id,
      problem: `${id} may not be waived: it has an approval check, and a waiver must not stand in for a sign-off`,
      fix: `get the sign-offs, or set waivable: true on ${id} to allow waivers of it`,
    };
  }
  const byAsWritten = gap.waivers?.by ?? spec.waivers?.by;
  if (!byAsWritten) {
    return {
      allowed: false,
      gap: id,
      problem: `${id} may not be waived: workflow ${spec.id} names no one who may waive`,
      fix: `add waivers: { by: ["@group", "name"], maxDays: ${defaultWaiverDays} } to the workflow (or to ${id})`,
    };
  }
  return {
    allowed: true,
    gap: id,
    by: expandPrincipals(spec, byAsWritten),
    byAsWritten,
    maxDays: gap.waivers?.maxDays ?? spec.waivers?.maxDays ?? defaultWaiverDays,
    from: gap.waivers?.by ? 'gap' : 'workflow',
  };
}

const dayMs = 86_400_000;

/** The latest a waiver given at `givenAt` may run: the end of the day (UTC) `maxDays` days later (ms). */
export const latestExpiry = (givenAt: number, maxDays: number): number => (Math.floor(givenAt / dayMs) + maxDays + 1) * dayMs - 1;

/** Whether a WAIVED status may prove this GAP (someone may validly waive it). */
export const isWaivable = (spec: Workflow, gap: Gap | string): boolean => waiverPolicy(spec, gap).allowed;

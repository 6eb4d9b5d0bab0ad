import type { GapStatus } from '../../machine/types.js';
import type { CheckResult } from '../../probes/index.js';
import type { Gap } from '../../spec/schema.js';

/** What a GAP's own checks say, ignoring blockers and waivers. */
export function ownStatus(results: CheckResult[]): Exclude<GapStatus, 'BLOCKED' | 'WAIVED'> {
  if (results.some((r) => r.status === 'error')) return 'ERROR';
  const passed = results.filter((r) => r.status === 'pass').length;
  if (results.length > 0 && passed === results.length) return 'CLOSED';
  return passed > 0 ? 'PARTIAL' : 'OPEN';
}

export interface GapVerdict {
  status: GapStatus;
  own: Exclude<GapStatus, 'BLOCKED' | 'WAIVED'>;
  /** Blockers that are neither CLOSED nor WAIVED. */
  blockedBy: string[];
  waived: boolean;
}

/**
 * A GAP's status, by precedence: a valid waiver → WAIVED; an errored or timed-out check → ERROR;
 * a blocker not CLOSED or WAIVED → BLOCKED; then CLOSED (all pass), PARTIAL (some), OPEN (none).
 * `statusOf` gives blockers' statuses (computed first: blockedBy has no cycles).
 */
export function gapVerdict(gap: Gap, results: CheckResult[], statusOf: (id: string) => GapStatus | undefined, waived: boolean): GapVerdict {
  const own = ownStatus(results);
  const blockedBy = (gap.blockedBy ?? []).filter((b) => {
    const s = statusOf(b);
    return s !== 'CLOSED' && s !== 'WAIVED';
  });
  if (waived && gap.waivable !== false) return { status: 'WAIVED', own, blockedBy, waived };
  if (own === 'ERROR') return { status: 'ERROR', own, blockedBy, waived: false };
  if (blockedBy.length) return { status: 'BLOCKED', own, blockedBy, waived: false };
  return { status: own, own, blockedBy, waived: false };
}

/** GAP ids with every blocker before the GAPs it blocks. */
export function blockersFirst(gaps: Gap[]): Gap[] {
  const byId = new Map(gaps.map((g) => [g.id, g]));
  const out: Gap[] = [];
  const seen = new Set<string>();
  const visit = (g: Gap) => {
    if (seen.has(g.id)) return;
    seen.add(g.id);
    for (const b of g.blockedBy ?? []) {
      const bg = byId.get(b);
      if (bg) visit(bg);
    }
    out.push(g);
  };
  gaps.forEach(visit);
  return out;
}

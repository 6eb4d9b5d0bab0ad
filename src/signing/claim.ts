import { ConfigError } from '../errors.js';
import { idPattern } from '../spec/ids.js';
import { checkPrincipal } from '../spec/principal.js';
import { canonicalJson } from '../support/digest.js';

/** The SSHSIG namespace of every flipgate signature: a signature made for git or ssh never counts here. */
export const signingNamespace = 'flipgate';

const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const keys = new Set(['v', 'workflow', 'kind', 'gap', 'principal', 'head', 'specHash', 'time', 'until', 'reason']);

/** The first thing wrong with a value that should be a claim, or undefined. */
function claimProblem(c: Record<string, unknown>): string | undefined {
  const time = (v: unknown) => typeof v === 'string' && isoUtc.test(v) && new Date(v).toISOString().slice(0, 19) === v.slice(0, 19);
  const extra = Object.keys(c).find((k) => !keys.has(k));
  if (extra) return `${extra}: not a field of a claim`;
  if (c.v !== 1) return 'v: must be 1';
  for (const k of ['workflow', 'gap'] as const)
    if (typeof c[k] !== 'string' || !idPattern.test(c[k] as string)) return `${k}: must be an id like GAP-3`;
  if (c.kind !== 'approval' && c.kind !== 'waiver') return 'kind: must be approval or waiver';
  const p = typeof c.principal === 'string' ? checkPrincipal(c.principal) : undefined;
  if (!p?.ok || p.principal !== c.principal) return 'principal: must be a principal in its normalised form';
  const head = c.head as { seq?: unknown; hash?: unknown } | undefined;
  if (
    !head ||
    typeof head !== 'object' ||
    Object.keys(head).some((k) => k !== 'seq' && k !== 'hash') ||
    !Number.isInteger(head.seq) ||
    (head.seq as number) < 0 ||
    typeof head.hash !== 'string' ||
    !head.hash
  ) {
    return 'head: must be { seq, hash } of a ledger event';
  }
  if (typeof c.specHash !== 'string' || !/^[0-9a-f]{64}$/.test(c.specHash)) return 'specHash: must be a SHA-256 hex digest';
  if (!time(c.time)) return 'time: must be an ISO 8601 UTC time like 2026-12-31T18:00:00.000Z';
  if (c.kind === 'approval' && (c.until !== undefined || c.reason !== undefined)) return 'an approval claim carries no until or reason';
  if (c.kind === 'waiver' && !time(c.until)) return 'until: a waiver claim carries an ISO 8601 UTC time';
  if (c.kind === 'waiver' && (typeof c.reason !== 'string' || !c.reason.trim())) return 'reason: a waiver claim carries a reason';
  return undefined;
}

/**
 * What a signed approval or waiver says, and all it says: the signature covers exactly the
 * canonical JSON of this object (claimText), in the `flipgate` namespace.
 * - `head`: the ledger head (sequence number and hash of the last event) the decision was given
 *   over; a decision counts only for that history.
 * - `specHash`: the workflow spec's hash (LoadedWorkflow.hash) it was given under.
 * - `time`: when it was signed; allowed-signers validity windows are judged at this time.
 * - `until` and `reason`: waivers only.
 */
export interface DecisionClaim {
  v: 1;
  workflow: string;
  kind: 'approval' | 'waiver';
  gap: string;
  principal: string;
  head: { seq: number; hash: string };
  specHash: string;
  time: string;
  until?: string | undefined;
  reason?: string | undefined;
}

export type ClaimCheck = { ok: true; claim: DecisionClaim } | { ok: false; problem: string };

/** Validates a claim read back from a record (a tampered or malformed one is a verdict, not an exception). */
export function parseClaim(value: unknown): ClaimCheck {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'a claim is a JSON object' };
  const problem = claimProblem(value as Record<string, unknown>);
  return problem ? { ok: false, problem } : { ok: true, claim: value as DecisionClaim };
}

/**
 * A claim from its parts, the principal normalised by the principal rule and times in UTC.
 * @throws ConfigError when a part is not what a claim may hold.
 * @example
 * makeClaim({ workflow: 'web', kind: 'approval', gap: 'GAP-2', principal: 'Alice',
 *   head: { seq: 41, hash: 'ab12…' }, specHash: '9f…', time: new Date() });
 */
export function makeClaim(
  parts: Omit<DecisionClaim, 'v' | 'time' | 'until'> & { time: Date | string; until?: Date | string | undefined },
): DecisionClaim {
  const iso = (t: Date | string) => {
    const d = t instanceof Date ? t : new Date(t);
    return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
  };
  const p = checkPrincipal(parts.principal);
  const value = {
    v: 1,
    ...parts,
    principal: p.ok ? p.principal : parts.principal,
    time: iso(parts.time),
    ...(parts.until !== undefined ? { until: iso(parts.until) } : {}),
  };
  for (const k of ['until', 'reason'] as const) if (value[k] === undefined) delete value[k];
  const r = parseClaim(value);
  if (!r.ok) throw new ConfigError(`cannot make a ${parts.kind} claim: ${p.ok ? r.problem : p.problem}`, { place: { field: 'claim' } });
  return r.claim;
}

/** The exact bytes a signature covers: RFC 8785 canonical JSON of the claim. */
export const claimText = (claim: DecisionClaim): string => canonicalJson(claim);

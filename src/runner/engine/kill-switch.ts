import type { SwitchReading } from '../../machine/types.js';
import type { CheckResult } from '../../probes/index.js';
import { type Check, killSwitchChecks } from '../../spec/schema.js';
import type { CheckRecord, SwitchRecord } from './events.js';
import { fleetSwitch, runFleetChecks } from './fleet-round.js';
import { type PlannedCheck, runChecks } from './run-checks.js';
import type { Session } from './session.js';
import { checksCause } from './view.js';

/*
 * The kill switch, read truthfully: each of its two readings needs positive evidence. The safe check
 * passes while execution is off, the `enabled` check once it is on; a file caught mid-rewrite passes
 * neither, and that is unreadable, never "enabled".
 */

export const switchWords: Record<SwitchReading, string> = {
  safe: 'execution disabled (safe)',
  enabled: 'execution ENABLED',
  unreadable: 'unreadable',
};

/** The switch's checks as a round plans them: the safe check, then the enabled check if the spec has one. */
export function switchPlan(spec: Session['wf']['spec']): PlannedCheck[] {
  const { safe, enabled } = killSwitchChecks(spec);
  const owner = { kind: 'killSwitch' as const, id: 'killSwitch' };
  return [{ ref: 'killSwitch', owner, check: safe }, ...(enabled ? [{ ref: 'killSwitch/enabled', owner, check: enabled as Check }] : [])];
}

/**
 * safe only when the safe check passes and the enabled check fails; enabled only the other way round;
 * anything else unreadable. Without an enabled check a failing safe check proves nothing, so it is
 * unreadable too (a spec without `enabled:` can still prove safe, never enabled).
 */
export function switchVerdict(safe: CheckResult, enabled: CheckResult | undefined): { reading: SwitchReading; why: string } {
  if (!enabled)
    return safe.status === 'pass'
      ? { reading: 'safe', why: 'the safe check passes' }
      : {
          reading: 'unreadable',
          why: `the safe check ${safe.status}s and the workflow has no killSwitch.enabled check to prove execution is on`,
        };
  if (safe.status === 'pass' && enabled.status === 'fail')
    return { reading: 'safe', why: 'the safe check passes and the enabled check fails' };
  if (enabled.status === 'pass' && safe.status === 'fail')
    return { reading: 'enabled', why: 'the enabled check passes and the safe check fails' };
  return { reading: 'unreadable', why: `the safe check ${safe.status}s and the enabled check ${enabled.status}s` };
}

/** The switch record of a round's (or a read's) checks: the safe check's record first. */
export function switchRecord(checks: CheckRecord[]): SwitchRecord {
  // On a fleet a record's ref ends in @host.
  const is = (c: CheckRecord, ref: string) => c.ref === ref || (c.host !== undefined && c.ref === `${ref}@${c.host}`);
  const safe = checks.find((c) => is(c, 'killSwitch'))!;
  const enabled = checks.find((c) => is(c, 'killSwitch/enabled'));
  const v = switchVerdict(safe, enabled);
  const evidence = [
    `${switchWords[v.reading]}: ${v.why}`,
    `${safe.id}: ${safe.evidence}`,
    ...(enabled ? [`${enabled.id}: ${enabled.evidence}`] : []),
  ].join(' — ');
  return { status: v.reading, evidence, check: safe, ...(enabled ? { enabled } : {}) };
}

export interface SwitchRead {
  reading: SwitchReading;
  record: SwitchRecord;
  checks: CheckRecord[];
  cause: ReturnType<typeof checksCause>;
}

/**
 * The switch of a round's (or a read's) checks. On a fleet each host's switch is read on its own and
 * the fleet's reading is the one every host agrees on (see fleetSwitch).
 */
export function switchOfChecks(session: Session, checks: CheckRecord[]): SwitchRecord {
  if (!session.fleet) return switchRecord(checks);
  const readings = session.fleet.members.map((m) => {
    const own = switchRecord(checks.filter((c) => c.host === m.name));
    return { host: m.name, reading: own.status, check: { ...own.check!, evidence: own.evidence } };
  });
  return fleetSwitch(readings, switchWords);
}

const toRecord = (p: PlannedCheck, r: CheckResult): CheckRecord => ({
  ref: p.ref,
  id: p.check.id,
  kind: p.check.kind,
  owner: p.owner,
  ...r,
});

async function readOnce(session: Session): Promise<SwitchRead> {
  const opts = { concurrency: 1, timeoutMs: session.timeoutMs, signoffsFor: () => [] };
  let checks: CheckRecord[];
  if (session.fleet) {
    checks = await runFleetChecks(
      session.fleet,
      switchPlan,
      { ...opts, context: { env: session.env, postgres: session.postgres } },
      toRecord,
    );
  } else {
    const planned = switchPlan(session.wf.spec);
    const results = await runChecks(planned, { ...opts, context: { host: session.host, env: session.env, postgres: session.postgres } });
    checks = planned.map((p, i) => toRecord(p, results[i]!));
  }
  const record = switchOfChecks(session, checks);
  return { reading: record.status, record, checks, cause: checksCause(checks) };
}

/**
 * Reads the switch. With `confirm` (a reading that decides a transition) it reads twice and keeps the
 * reading only when both agree: a switch caught mid-change is unreadable.
 */
export async function readKillSwitch(session: Session, opts: { confirm?: boolean } = {}): Promise<SwitchRead> {
  const first = await readOnce(session);
  if (!opts.confirm || first.reading === 'unreadable') return first;
  return confirmRead(first, await readOnce(session));
}

/** The first read when a second agrees with it; else unreadable, with both in the evidence. */
export function confirmRead(first: SwitchRead, second: SwitchRead): SwitchRead {
  if (second.reading === first.reading)
    return { ...first, record: { ...first.record, evidence: `${first.record.evidence} (confirmed by a second read)` } };
  const evidence = `unreadable: two reads disagree (${first.reading}, then ${second.reading}) — ${second.record.evidence}`;
  return { ...second, reading: 'unreadable', record: { ...second.record, status: 'unreadable', evidence } };
}

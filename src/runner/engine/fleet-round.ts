import type { GapStatus, SwitchReading } from '../../machine/types.js';
import type { CheckResult } from '../../probes/index.js';
import type { Workflow } from '../../spec/schema.js';
import { mapBounded } from '../../support/bounded.js';
import type { CheckRecord, SwitchRecord } from './events.js';
import type { Fleet } from './fleet.js';
import { ownStatus } from './gap-status.js';
import { type PlannedCheck, type RunChecksOptions, runChecks } from './run-checks.js';

/**
 * Runs the same plan on every host of a fleet (each host's own values: its spec as its vars
 * resolve it), `forks` hosts at once. Each record carries its host, and its ref gains `@host`, so
 * that the ledger says where every verdict was seen. An unreachable host gives ERROR for each check.
 */
export async function runFleetChecks(
  fleet: Fleet,
  plan: (spec: Workflow) => PlannedCheck[],
  opts: Omit<RunChecksOptions, 'context'> & { context: Omit<RunChecksOptions['context'], 'host'> },
  record: (p: PlannedCheck, r: Awaited<ReturnType<typeof runChecks>>[number]) => CheckRecord,
): Promise<CheckRecord[]> {
  const plans = fleet.members.map((m) => plan(m.wf.spec));
  const total = plans.reduce((n, p) => n + p.length, 0);
  let done = 0;
  const perHost = await mapBounded(fleet.members, fleet.forks, async (m, i) => {
    const planned = plans[i]!;
    // Progress counts every host's checks together, each named with its host.
    const onResult =
      opts.onResult && ((p: PlannedCheck, r: CheckResult) => opts.onResult!({ ...p, ref: `${p.ref}@${m.name}` }, r, ++done, total));
    const results = m.host
      ? await runChecks(planned, {
          ...opts,
          onResult,
          context: { ...opts.context, host: m.host, postgres: m.postgres ?? opts.context.postgres },
        })
      : planned.map((p) => {
          const r = {
            status: 'error' as const,
            evidence: m.unreachable ?? `host ${m.name} cannot be reached`,
            observed: { unreachable: true },
            ms: 0,
          };
          onResult?.(p, r);
          return r;
        });
    return planned.map((p, i) => ({ ...record(p, results[i]!), ref: `${p.ref}@${m.name}`, host: m.name }));
  });
  return perHost.flat();
}

/** Each host's own status for a GAP (its checks on that host alone), in fleet order. */
export function hostStatuses(fleet: Fleet, checks: CheckRecord[]): Record<string, GapStatus> {
  return Object.fromEntries(fleet.members.map((m) => [m.name, ownStatus(checks.filter((c) => c.host === m.name))]));
}

/**
 * The fleet's kill switch: a reading every host agrees on; hosts that disagree (some safe, some
 * enabled) or any host that cannot be read make it `unreadable`, which is never safe and never enabled.
 */
export function fleetSwitch(
  readings: { host: string; reading: SwitchReading; check: CheckRecord }[],
  words: Record<SwitchReading, string>,
): SwitchRecord {
  const first = readings[0]!;
  const same = readings.every((r) => r.reading === first.reading);
  const status: SwitchReading = same ? first.reading : 'unreadable';
  const odd = readings.filter((r) => r.reading !== (same ? first.reading : 'safe'));
  const said = same
    ? `${words[status]} on all ${readings.length} hosts`
    : `${words.unreadable}: the hosts disagree (${odd.map((r) => `${r.host} ${words[r.reading]}`).join(', ')})`;
  const shown = odd[0] ?? first;
  return {
    status,
    evidence: `${said}: ${shown.host}: ${shown.check.evidence}`,
    check: shown.check,
    hosts: Object.fromEntries(readings.map((r) => [r.host, r.reading])),
  };
}

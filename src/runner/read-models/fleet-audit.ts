import type { GapStatus } from '../../machine/types.js';
import type { AuditCheck, GapChange } from './audit.js';

/** One inventory host's story for a GAP: its status now, and the rounds that last closed and reopened it there. */
export interface HostAudit {
  host: string;
  status: GapStatus | 'UNKNOWN';
  /** Its checks on this host in the last recorded change (what holds it back, when it is not CLOSED). */
  checks: AuditCheck[];
  closedBy?: HostChange;
  reopenedBy?: HostChange;
}

/** A GAP changing on one host: who ran the round, and that host's checks with their evidence. */
export interface HostChange {
  seq: number;
  time: string;
  actor: string;
  scope: string | undefined;
  from: GapStatus | 'UNKNOWN';
  to: GapStatus;
  checks: AuditCheck[];
}

/**
 * Per host, from a GAP's recorded changes (each carries every host's own status on a fleet): when it
 * became CLOSED on that host, by whose round and through which checks there, and when it stopped being.
 */
export function hostAudits(changes: GapChange[]): HostAudit[] | undefined {
  const fleetChanges = changes.filter((c) => c.hosts);
  if (!fleetChanges.length) return undefined;
  const last = fleetChanges[fleetChanges.length - 1]!;
  const out = new Map<string, HostAudit>(
    Object.entries(last.hosts!).map(([host, status]) => [host, { host, status, checks: last.checks.filter((k) => k.host === host) }]),
  );
  const before = new Map<string, GapStatus>();
  for (const ch of fleetChanges) {
    for (const [host, to] of Object.entries(ch.hosts!)) {
      const from = before.get(host);
      before.set(host, to);
      const audit = out.get(host);
      if (!audit || from === to) continue;
      const change: HostChange = {
        seq: ch.seq,
        time: ch.time,
        actor: ch.actor,
        scope: ch.scope,
        from: from ?? 'UNKNOWN',
        to,
        checks: ch.checks.filter((k) => k.host === host),
      };
      if (to === 'CLOSED') audit.closedBy = change;
      else if (from === 'CLOSED') audit.reopenedBy = change;
    }
  }
  return [...out.values()];
}

/** "19/20 hosts CLOSED; web07 OPEN" for a change's host statuses. */

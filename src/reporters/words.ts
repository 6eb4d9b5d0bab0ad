import type { GapReport, StatusReport } from '../runner/read-models/report.js';

export const gapIcon: Record<string, string> = {
  CLOSED: '✅',
  WAIVED: '☑️',
  PARTIAL: '⚠️',
  OPEN: '❌',
  BLOCKED: '❌',
  ERROR: '🛑',
  UNKNOWN: '·',
};

export const checkIcon: Record<string, string> = { pass: '✅', fail: '❌', error: '🛑', skip: '–' };

/** The status as the seed writes it: a GAP blocked while its own checks are open reads "OPEN/BLOCKED". */
export function gapStatusText(g: GapReport): string {
  if (g.status === 'BLOCKED' && g.own && g.own !== 'CLOSED') return `${g.own}/BLOCKED`;
  return g.status;
}

/** The first failing check's evidence, as the seed's table gives a reason beside each open GAP. */
export function gapReason(g: GapReport): string {
  const first = g.checks[0];
  if (g.status === 'CLOSED')
    return !first ? '' : g.hosts ? `on all ${g.hosts.length} hosts; ${first.host}: ${first.evidence}` : first.evidence;
  const parts: string[] = [];
  if (g.status === 'BLOCKED') parts.push(`blocked by ${g.blockedBy.join(', ')}`);
  const bad = g.checks.filter((c) => c.status !== 'pass');
  for (const c of bad.slice(0, 2)) parts.push(c.host ? `${c.host}: ${c.evidence}` : c.evidence);
  if (bad.length > 2) parts.push(`+${bad.length - 2} more`);
  if (g.status === 'PARTIAL') {
    // On a fleet a check passes once per host: each id once, with on how many hosts.
    const good = new Map<string, number>();
    for (const c of g.checks) if (c.status === 'pass') good.set(c.id, (good.get(c.id) ?? 0) + 1);
    if (good.size) parts.unshift(`${[...good].map(([id, n]) => (g.hosts ? `${id} on ${n} hosts` : id)).join(', ')} ok`);
  }
  return parts.join('; ');
}

export function stateText(r: StatusReport): string {
  if (r.state === 'armed') return 'armed — every gate passed; the flip may be requested';
  if (r.state === 'flipped')
    return r.killSwitch.status === 'enabled'
      ? 'flipped — execution is enabled'
      : `flipped — but the kill switch reads ${r.killSwitch.status}`;
  if (r.state === 'flipping') return 'flipping';
  if (r.state === 'halted')
    return r.killSwitch.status === 'safe'
      ? 'HALTED — execution disabled; run flipgate resume once the kill switch reads safe'
      : `HALTED — but the kill switch reads ${r.killSwitch.status.toUpperCase()}: turn execution off (flipgate disable, or by hand)`;
  const gate = r.gates.find((g) => g.id === r.state);
  const waiting = r.step && r.step !== 'passed' ? `, waiting on ${r.step}` : r.step === 'passed' ? ', passed — run advance to move on' : '';
  return `${r.state}${gate ? ` (${gate.title})` : ''}${waiting}`;
}

/** The closing verdict line, like the seed's "G2 = SURVEYED". */
export function verdictLine(r: StatusReport): string {
  const open = r.gaps.filter((g) => !['CLOSED', 'WAIVED'].includes(g.status));
  if (r.errors) return `NOT READY — ${r.errors} check(s) could not be evaluated (ERROR never counts as CLOSED)`;
  if (r.ready) return 'READY — every GAP is CLOSED or validly WAIVED and the kill switch reads safe';
  return `NOT READY — ${open.length} of ${r.gaps.length} GAPs not closed: ${open.map((g) => g.id).join(', ')}`;
}

/** When the shown kill-switch reading was taken, and by which command: "read 2026-… by carol (disable, ledger event 41)". */
export function switchReadText(r: StatusReport): string {
  const at = r.killSwitch.read;
  return at ? `read ${at.time} by ${at.actor} (${at.command}, ledger event ${at.seq})` : 'never read';
}

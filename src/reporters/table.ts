import Table from 'cli-table3';
import pc from 'picocolors';
import type { StatusReport } from '../runner/report.js';
import { checkIcon, gapIcon, gapReason, gapStatusText, stateText, switchReadText, verdictLine } from './words.js';

const plain = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

export interface TableOptions {
  color: boolean;
  /** Include informational sections (the survey's §1–5). */
  sections?: boolean;
  width?: number;
}

function table(head: string[]): Table.Table {
  return new Table({ head, chars: plain, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 }, wordWrap: false });
}

const clip = (s: string, n: number) => (Number.isFinite(n) && s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The terminal report: state, kill switch, the GAP table like the seed's §6, and optionally the sections. */
export function formatTable(r: StatusReport, opts: TableOptions): string {
  const c = opts.color ? pc : pc.createColors(false);
  const paint = (status: string, text: string) =>
    status === 'CLOSED' || status === 'pass' || status === 'WAIVED' ? c.green(text) : status === 'PARTIAL' ? c.yellow(text) : status === 'UNKNOWN' || status === 'skip' ? c.dim(text) : c.red(text);
  // On a terminal, long evidence is cut to the width; piped output keeps it whole.
  const width = opts.width ? Math.max(60, opts.width) : Infinity;
  const out: string[] = [];
  out.push(c.bold(`${r.title} (${r.workflow})`));
  out.push(`State: ${stateText(r)}`);
  const ks = r.killSwitch.status === 'safe' ? c.green(r.killSwitch.evidence) : c.red(r.killSwitch.evidence);
  out.push(`Kill switch: ${ks}`, c.dim(`  ${switchReadText(r)}`));
  if (r.surveyed) out.push(c.dim(`Last probed: ${r.surveyed.time} by ${r.surveyed.actor} (${r.surveyed.scope}, ledger event ${r.surveyed.seq})`));
  out.push('');
  if (opts.sections) {
    for (const s of r.sections) {
      if (!s.checks.length) continue;
      out.push(c.bold(s.title));
      const t = table(['Item', 'Status', 'Evidence']);
      for (const ch of s.checks) t.push([ch.title ?? ch.id, paint(ch.status, `${checkIcon[ch.status]} ${ch.status === 'pass' ? 'present' : ch.status === 'fail' ? 'ABSENT' : ch.status.toUpperCase()}`), clip(ch.evidence, width - 50)]);
      out.push(t.toString(), '');
    }
  }
  out.push(c.bold('GAP status'));
  const t = table(['GAP', 'Definition', 'Status', 'Evidence']);
  for (const g of r.gaps) t.push([g.id, clip(g.title, 48), paint(g.status, `${gapIcon[g.status]} ${gapStatusText(g)}`), clip(gapReason(g), Math.max(20, width - 80))]);
  out.push(t.toString());
  out.push('');
  const gates = r.gates.map((g) => (g.status === 'passed' ? c.green(`${g.id} ✓`) : g.status === 'current' ? c.bold(c.yellow(`${g.id} ◀`)) : c.dim(g.id))).join(' → ');
  out.push(`Gates: ${gates} → ${r.state === 'flipped' ? c.green('flipped') : c.dim('flip')}`);
  out.push(r.ready ? c.green(verdictLine(r)) : c.red(verdictLine(r)));
  return out.join('\n');
}

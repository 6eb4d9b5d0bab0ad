import Table from 'cli-table3';
import pc from 'picocolors';
import type { StatusReport } from '../runner/read-models/report.js';
import { fleetSummary, matrixRows } from './matrix.js';
import { checkIcon, gapIcon, gapReason, gapStatusText, stateText, switchReadText, verdictLine } from './words.js';

const plain = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export interface TableOptions {
  color: boolean;
  /** Include informational sections (the survey's §1–5). */
  sections?: boolean;
  /** The terminal's width: the last column (evidence) wraps to fit it. None when piped or wide. */
  width?: number;
  /** Never shorten a column (`--wide`). */
  wide?: boolean;
}

const table = (head: string[], colWidths?: number[]) =>
  new Table({
    head,
    chars: plain,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    wordWrap: false,
    ...(colWidths ? { colWidths } : {}),
  });

/** `s` in lines of at most `width` characters, broken between words, and inside a word (a long path) only when it alone is wider. */
function wrap(s: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    for (let w = word; w; ) {
      const sep = line ? 1 : 0;
      if (line.length + sep + w.length <= width) {
        line += (sep ? ' ' : '') + w;
        w = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(w.slice(0, width));
        w = w.slice(width);
      }
    }
  }
  return [...lines, line].filter(Boolean).join('\n');
}

/** The rows as a table whose last column wraps at word boundaries when the whole would be wider than `width`. */
function fitted(head: string[], rows: string[][], width: number | undefined): string {
  const natural = table(head);
  natural.push(...rows);
  const text = natural.toString();
  if (!width) return text;
  // toString() leaves the widths it computed in options.colWidths.
  const widths = (natural.options as { colWidths: number[] }).colWidths;
  const used = widths.slice(0, -1).reduce((a, b) => a + b, 0) + plain.middle.length * (widths.length - 1);
  if (used + widths.at(-1)! <= width) return text;
  const last = Math.max(20, width - used);
  const wrapped = table(head, [...widths.slice(0, -1), last]);
  wrapped.push(...rows.map((r) => [...r.slice(0, -1), wrap(r.at(-1)!, last)]));
  return wrapped.toString();
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The terminal report: state, kill switch, the GAP table like the seed's §6, and optionally the sections. */
export function formatTable(r: StatusReport, opts: TableOptions): string {
  const c = pc.createColors(opts.color);
  const paint = (status: string, text: string) =>
    status === 'CLOSED' || status === 'pass' || status === 'WAIVED'
      ? c.green(text)
      : status === 'PARTIAL'
        ? c.yellow(text)
        : status === 'UNKNOWN' || status === 'skip'
          ? c.dim(text)
          : c.red(text);
  // On a terminal, long evidence wraps to the width; piped output and --wide keep every line whole.
  const width = opts.width && !opts.wide ? Math.max(60, opts.width) : undefined;
  const title = (s: string) => (opts.wide ? s : clip(s, 48));
  const out: string[] = [];
  out.push(c.bold(`${r.title} (${r.workflow})`));
  out.push(`State: ${stateText(r)}`);
  const ks = r.killSwitch.status === 'safe' ? c.green(r.killSwitch.evidence) : c.red(r.killSwitch.evidence);
  out.push(`Kill switch: ${ks}`, c.dim(`  ${switchReadText(r)}`));
  if (r.surveyed)
    out.push(c.dim(`Last probed: ${r.surveyed.time} by ${r.surveyed.actor} (${r.surveyed.scope}, ledger event ${r.surveyed.seq})`));
  out.push('');
  if (opts.sections) {
    for (const s of r.sections) {
      if (!s.checks.length) continue;
      out.push(c.bold(s.title));
      const rows = s.checks.map((ch) => [
        ch.title ?? ch.id,
        paint(
          ch.status,
          `${checkIcon[ch.status]} ${ch.status === 'pass' ? 'present' : ch.status === 'fail' ? 'ABSENT' : ch.status.toUpperCase()}`,
        ),
        ch.evidence,
      ]);
      out.push(fitted(['Item', 'Status', 'Evidence'], rows, width), '');
    }
  }
  out.push(c.bold('GAP status'));
  const rows = r.gaps.map((g) => [g.id, title(g.title), paint(g.status, `${gapIcon[g.status]} ${gapStatusText(g)}`), gapReason(g)]);
  out.push(fitted(['GAP', 'Definition', 'Status', 'Evidence'], rows, width));
  out.push('');
  const matrix = matrixRows(r);
  if (matrix.rows.length) {
    out.push(c.bold(`GAP × host (${matrix.rows.length} hosts; kill switch ${r.killSwitch.status})`));
    const m = table(matrix.head);
    for (const row of matrix.rows) m.push([row.host, ...row.cells.map((s) => paint(s, s))]);
    out.push(m.toString());
    for (const g of r.gaps) if (g.heldBy?.length) out.push(`${g.id}: ${fleetSummary(g)}`);
    out.push('');
  }
  const gates = r.gates
    .map((g) => (g.status === 'passed' ? c.green(`${g.id} ✓`) : g.status === 'current' ? c.bold(c.yellow(`${g.id} ◀`)) : c.dim(g.id)))
    .join(' → ');
  out.push(`Gates: ${gates} → ${r.state === 'flipped' ? c.green('flipped') : c.dim('flip')}`);
  out.push(r.ready ? c.green(verdictLine(r)) : c.red(verdictLine(r)));
  return out.join('\n');
}

import type { StatusReport } from '../runner/report.js';
import { checkIcon, gapIcon, gapReason, gapStatusText, stateText, verdictLine } from './words.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A Markdown report in the seed survey's layout: one section per concern, then the GAP status table and a verdict. */
export function formatMarkdown(r: StatusReport): string {
  const out: string[] = [];
  out.push(`# ${r.title} — prerequisite survey`, '');
  out.push(`- workflow: \`${r.workflow}\``);
  if (r.surveyed) out.push(`- surveyed: ${r.surveyed.time} by ${r.surveyed.actor} (ledger event ${r.surveyed.seq})`);
  out.push(`- state: ${stateText(r)}`);
  out.push(`- kill switch: ${r.killSwitch.evidence}`, '');
  r.sections.forEach((s, i) => {
    out.push(`## ${i + 1}. ${s.title}`, '', '| Item | Present | Notes |', '|---|---|---|');
    for (const c of s.checks) out.push(`| ${cell(c.title ?? c.id)} | ${checkIcon[c.status]} ${c.status === 'pass' ? 'present' : c.status === 'fail' ? 'absent' : c.status} | ${cell(c.evidence)} |`);
    if (!s.checks.length) out.push('| (not surveyed) | · | |');
    out.push('');
  });
  out.push(`## ${r.sections.length + 1}. GAP status table`, '', '| GAP | Definition | Status |', '|---|---|---|');
  for (const g of r.gaps) out.push(`| ${g.id} | ${cell(g.title)} | ${gapIcon[g.status]} ${gapStatusText(g)}${g.status === 'CLOSED' ? '' : ` — ${cell(gapReason(g))}`} |`);
  out.push('');
  const current = r.gates.find((g) => g.status === 'current');
  const verdict = r.ready ? 'READY' : 'SURVEYED';
  out.push(`${current ? current.id : r.state} = ${verdict}. ${verdictLine(r)}`, '');
  return out.join('\n');
}

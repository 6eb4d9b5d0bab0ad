import type { CheckReport, SectionReport, StatusReport } from '../runner/read-models/report.js';
import { fleetSummary, matrixRows } from './matrix.js';
import { checkIcon, gapIcon, gapReason, gapStatusText, stateText, switchReadText, verdictLine } from './words.js';

const alnum = (c: string | undefined) => !!c && /[A-Za-z0-9]/.test(c);
const punct = (c: string | undefined) => !!c && /[!-/:-@[-`{-~]/.test(c);

/**
 * Evidence holds paths, globs and regexes (`orchestrator.*`, `__execution_enabled__\s*=`): escaped so that
 * Markdown shows them as written, and only where Markdown would act (`DQ_4` stays as it is).
 */
export function md(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r') continue;
    if (c === '\n') out += ' ';
    else if (c === '<') out += '&lt;';
    else if (c === '>') out += '&gt;';
    else if (c === '&' && /^&#?[A-Za-z0-9]+;/.test(s.slice(i))) out += '&amp;';
    else if (c === '_' && alnum(s[i - 1]) && alnum(s[i + 1])) out += c;
    else if ('`*_[]|'.includes(c) || (c === '\\' && punct(s[i + 1]))) out += `\\${c}`;
    else out += c;
  }
  return out;
}

const presence = (c: CheckReport) =>
  `${checkIcon[c.status]} ${c.status === 'pass' ? 'present' : c.status === 'fail' ? 'absent' : c.status}`;

/** One line under a section's table, as the seed sums each concern up in a sentence. */
function sectionSummary(s: SectionReport): string {
  if (!s.checks.length) return 'Not surveyed yet.';
  const bad = s.checks.filter((c) => c.status !== 'pass');
  if (!bad.length) return `All ${s.checks.length} present.`;
  const names = bad.map((c) => `${md(c.title ?? c.id)}${c.status === 'fail' ? '' : ` (${c.status})`}`).join('; ');
  return `${bad.length} of ${s.checks.length} not present: ${names}.`;
}

/**
 * The closing line, like the seed's "G2 = SURVEYED. DB substrate ready; … are not ready." Sections are
 * informational: in a READY report, a section with something absent is noted, never called not ready.
 */
function verdict(r: StatusReport): string {
  const current = r.gates.find((g) => g.status === 'current');
  const isReady = r.ready && !r.errors;
  const head = `${current ? current.id : r.state} = ${isReady ? 'READY' : 'SURVEYED'}.`;
  const surveyed = r.sections.filter((s) => s.checks.length);
  const ready = surveyed.filter((s) => s.checks.every((c) => c.status === 'pass')).map((s) => s.title);
  const notReady = surveyed.filter((s) => s.checks.some((c) => c.status !== 'pass')).map((s) => s.title);
  const parts = [head];
  if (ready.length) parts.push(`Ready: ${md(ready.join('; '))}.`);
  if (notReady.length)
    parts.push(
      isReady ? `Informational, not all present (never blocks): ${md(notReady.join('; '))}.` : `Not ready: ${md(notReady.join('; '))}.`,
    );
  parts.push(`${verdictLine(r)}.`);
  return parts.join(' ');
}

/**
 * A Markdown report in the seed survey's layout: what was surveyed, one section per concern with a
 * present/absent table and a one-line summary, the GAP status table with ✅ ⚠️ ❌, and a verdict line.
 */
export function formatMarkdown(r: StatusReport): string {
  const out: string[] = [];
  const current = r.gates.find((g) => g.status === 'current');
  const checks = r.gaps.reduce((n, g) => n + g.checks.length, 0) + r.sections.reduce((n, s) => n + s.checks.length, 0);
  out.push(`# ${md(r.title)} — prerequisite survey`, '');
  out.push(`- workflow: \`${r.workflow}\``);
  if (current) out.push(`- gate covered: ${current.id} ${md(current.title)}`);
  if (r.surveyed)
    out.push(`- date_utc: ${r.surveyed.time} · by ${md(r.surveyed.actor)} · ledger event ${r.surveyed.seq} (${r.surveyed.scope})`);
  out.push(`- state: ${md(stateText(r))}`);
  out.push(`- kill switch: ${r.killSwitch.status} — ${md(r.killSwitch.evidence)} (${md(switchReadText(r))})`, '');
  out.push(
    r.surveyed
      ? `A read-only survey of ${checks} checks: ${r.sections.length} sections and the ${r.gaps.length} GAPs the gates require. Nothing on the host was changed.`
      : 'No survey has been recorded yet: run flipgate survey.',
    '',
  );
  r.sections.forEach((s, i) => {
    out.push(`## ${i + 1}. ${md(s.title)}`, '', '| Item | Present | Notes |', '|---|---|---|');
    for (const c of s.checks) out.push(`| ${md(c.title ?? c.id)} | ${presence(c)} | ${md(c.evidence)} |`);
    if (!s.checks.length) out.push('| (not surveyed) | · | |');
    out.push('', sectionSummary(s), '');
  });
  out.push(`## ${r.sections.length + 1}. GAP status table`, '', '| GAP | Definition | Status |', '|---|---|---|');
  for (const g of r.gaps) {
    const reason = g.status === 'CLOSED' ? '' : ` — ${md(gapReason(g))}`;
    out.push(`| ${g.id} | ${md(g.title)} | ${gapIcon[g.status]} ${gapStatusText(g)}${reason} |`);
  }
  const matrix = matrixRows(r);
  if (matrix.rows.length) {
    out.push(
      '',
      `### GAP × host (${matrix.rows.length} hosts)`,
      '',
      `| ${matrix.head.join(' | ')} |`,
      `|${matrix.head.map(() => '---').join('|')}|`,
    );
    for (const row of matrix.rows) out.push(`| ${md(row.host)} | ${row.cells.map((s) => `${gapIcon[s] ?? ''} ${s}`).join(' | ')} |`);
    const held = r.gaps.filter((g) => g.heldBy?.length);
    if (held.length) out.push('', ...held.map((g) => `- ${g.id}: ${md(fleetSummary(g)!)}`));
  }
  out.push('', verdict(r), '');
  return out.join('\n');
}

import type { CheckReport, StatusReport } from '../runner/report.js';

// XML 1.0 cannot carry most control characters, even escaped: they are dropped.
const esc = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The kill switch as a check of its own: passing while execution is still disabled. */
function killSwitchCheck(r: StatusReport): CheckReport {
  const status = r.killSwitch.status === 'safe' ? 'pass' : r.killSwitch.status === 'enabled' ? 'fail' : r.killSwitch.status === 'error' ? 'error' : 'skip';
  return { id: 'killSwitch', kind: 'killSwitch', title: 'execution is disabled until the flip', status, evidence: r.killSwitch.evidence, observed: {}, ms: 0 };
}

function testcase(suite: string, c: CheckReport): string {
  const head = `    <testcase classname="${esc(suite)}" name="${esc(c.id)}${c.title ? ` — ${esc(c.title)}` : ''}" time="${(c.ms / 1000).toFixed(3)}">`;
  const body =
    c.status === 'fail' ? `\n      <failure message="${esc(c.evidence)}" type="${esc(c.kind)}"/>\n    ` :
    c.status === 'error' ? `\n      <error message="${esc(c.evidence)}" type="${esc(c.kind)}"/>\n    ` :
    c.status === 'skip' ? `\n      <skipped message="${esc(c.evidence)}"/>\n    ` :
    `\n      <system-out>${esc(c.evidence)}</system-out>\n    `;
  return `${head}${body}</testcase>`;
}

/** JUnit XML: one testsuite per GAP and section (and the kill switch), one testcase per check, so CI systems show each check. */
export function formatJunit(r: StatusReport): string {
  const suites = [
    { name: `${r.workflow}.killSwitch`, label: `kill switch [${r.killSwitch.status}]`, checks: [killSwitchCheck(r)] },
    ...r.gaps.map((g) => ({ name: `${r.workflow}.${g.id}`, label: `${g.id} ${g.title} [${g.status}]`, checks: g.checks })),
    ...r.sections.map((s) => ({ name: `${r.workflow}.${s.id}`, label: s.title, checks: s.checks })),
  ];
  const count = (xs: CheckReport[], st: string) => xs.filter((c) => c.status === st).length;
  const all = suites.flatMap((s) => s.checks);
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>`, `<testsuites name="${esc(r.title)}" tests="${all.length}" failures="${count(all, 'fail')}" errors="${count(all, 'error')}" skipped="${count(all, 'skip')}">`];
  for (const s of suites) {
    lines.push(`  <testsuite name="${esc(s.name)}" tests="${s.checks.length}" failures="${count(s.checks, 'fail')}" errors="${count(s.checks, 'error')}" skipped="${count(s.checks, 'skip')}">`);
    lines.push(`    <properties><property name="label" value="${esc(s.label)}"/></properties>`);
    for (const c of s.checks) lines.push(testcase(s.name, c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

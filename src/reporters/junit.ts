import type { CheckReport, GapReport, StatusReport } from '../runner/read-models/report.js';
import { escapeMarkup as esc } from '../support/markup.js';
import { switchReadText } from './words.js';

/** How CI should show one testcase: a pass, or a failure, error or skip with its message. */
type Outcome = { as: 'pass' } | { as: 'failure' | 'error' | 'skipped'; type: string; message: string };

interface Case {
  name: string;
  ms: number;
  outcome: Outcome;
  evidence: string;
}

interface Suite {
  name: string;
  properties: [string, string][];
  cases: Case[];
}

// On a fleet, one testcase per check and host: the name carries the host.
const caseName = (c: CheckReport) => `${c.id}${c.title ? ` — ${c.title}` : ''}${c.host ? ` @ ${c.host}` : ''}`;
const plain = (c: CheckReport): Outcome =>
  c.status === 'pass'
    ? { as: 'pass' }
    : c.status === 'error'
      ? { as: 'error', type: c.kind, message: c.evidence }
      : {
          as: 'failure',
          type: c.kind,
          message: c.status === 'skip' ? `did not run, and a check that did not run never counts as a pass: ${c.evidence}` : c.evidence,
        };

/**
 * A GAP check as CI should see it, so that the report is red exactly when the survey is not ready:
 * a waived GAP's unmet checks are skipped under the waiver; a BLOCKED GAP's passing checks fail, since
 * they cannot count until its blockers are proven; an ERROR stays an error, even under a waiver.
 */
function gapOutcome(g: GapReport, c: CheckReport): Outcome {
  if (c.status === 'error') return plain(c);
  if (g.status === 'WAIVED' && c.status !== 'pass') {
    const w = g.waiver;
    const by = w ? `waived by ${w.by} until ${w.until}: ${w.reason}` : 'waived';
    return { as: 'skipped', type: 'waived', message: `${by} (the check says: ${c.evidence})` };
  }
  if (g.status === 'BLOCKED' && c.status === 'pass') {
    return {
      as: 'failure',
      type: 'blocked',
      message: `passes, but ${g.id} is BLOCKED by ${g.blockedBy.join(', ')}: it counts only once they are CLOSED or WAIVED (${c.evidence})`,
    };
  }
  return plain(c);
}

function killSwitchCase(r: StatusReport): Case {
  const k = r.killSwitch;
  const outcome: Outcome =
    k.status === 'safe'
      ? { as: 'pass' }
      : k.status === 'enabled'
        ? { as: 'failure', type: 'killSwitch', message: k.evidence }
        : { as: 'error', type: 'killSwitch', message: k.status === 'unknown' ? 'not read yet: run flipgate survey' : k.evidence };
  return { name: 'killSwitch — execution is disabled until the flip', ms: 0, outcome, evidence: `${k.evidence} (${switchReadText(r)})` };
}

function gapSuite(r: StatusReport, g: GapReport): Suite {
  const properties: [string, string][] = [
    ['status', g.status],
    ['own', g.own ?? g.status],
  ];
  if (g.blockedBy.length) properties.push(['blockedBy', g.blockedBy.join(', ')]);
  if (g.heldBy?.length) properties.push(['heldBy', g.heldBy.join(', ')]);
  if (g.waiver) properties.push(['waiver.by', g.waiver.by], ['waiver.reason', g.waiver.reason], ['waiver.until', g.waiver.until]);
  const cases = g.checks.map((c) => ({ name: caseName(c), ms: c.ms, outcome: gapOutcome(g, c), evidence: c.evidence }));
  // A GAP no survey has looked at is not proven: one erroring case says so, rather than an empty, green suite.
  if (!cases.length)
    cases.push({
      name: `${g.id} — ${g.title}`,
      ms: 0,
      outcome: { as: 'error', type: 'UNKNOWN', message: 'no survey has recorded this GAP yet: run flipgate survey' },
      evidence: '',
    });
  return { name: `${r.workflow}.${g.id}`, properties: [['label', `${g.id} ${g.title} [${g.status}]`], ...properties], cases };
}

/** A section is informational: an unmet check is skipped, never failed; one that cannot tell is an error, as in the survey. */
function sectionSuite(r: StatusReport, s: StatusReport['sections'][number]): Suite {
  const cases = s.checks.map((c): Case => {
    const outcome: Outcome =
      c.status === 'pass' || c.status === 'error'
        ? plain(c)
        : { as: 'skipped', type: 'informational', message: `informational, never blocks: ${c.evidence}` };
    return { name: caseName(c), ms: c.ms, outcome, evidence: c.evidence };
  });
  return {
    name: `${r.workflow}.${s.id}`,
    properties: [
      ['label', s.title],
      ['informational', 'true'],
    ],
    cases,
  };
}

function testcase(suite: string, c: Case): string {
  const head = `    <testcase classname="${esc(suite)}" name="${esc(c.name)}" time="${(c.ms / 1000).toFixed(3)}">`;
  const o = c.outcome;
  const body =
    o.as === 'pass' ? `<system-out>${esc(c.evidence)}</system-out>` : `<${o.as} message="${esc(o.message)}" type="${esc(o.type)}"/>`;
  return `${head}\n      ${body}\n    </testcase>`;
}

const count = (cases: Case[], as: Outcome['as']) => cases.filter((c) => c.outcome.as === as).length;
const seconds = (cases: Case[]) => (cases.reduce((n, c) => n + c.ms, 0) / 1000).toFixed(3);

/**
 * JUnit XML as Jenkins' junit-10.xsd defines it: one testsuite per GAP and section (and the kill switch),
 * one testcase per check. It has failures or errors exactly when the survey is not ready.
 */
export function formatJunit(r: StatusReport): string {
  const suites: Suite[] = [
    { name: `${r.workflow}.killSwitch`, properties: [['label', `kill switch [${r.killSwitch.status}]`]], cases: [killSwitchCase(r)] },
    ...r.gaps.map((g) => gapSuite(r, g)),
    ...r.sections.map((s) => sectionSuite(r, s)),
  ];
  const all = suites.flatMap((s) => s.cases);
  const stamp = r.surveyed ? ` timestamp="${esc(r.surveyed.time)}"` : '';
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${esc(r.title)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" time="${seconds(all)}">`,
  ];
  for (const s of suites) {
    lines.push(
      `  <testsuite name="${esc(s.name)}" tests="${s.cases.length}" failures="${count(s.cases, 'failure')}" errors="${count(s.cases, 'error')}" skipped="${count(s.cases, 'skipped')}" time="${seconds(s.cases)}"${stamp}>`,
    );
    lines.push(`    <properties>${s.properties.map(([k, v]) => `<property name="${esc(k)}" value="${esc(v)}"/>`).join('')}</properties>`);
    for (const c of s.cases) lines.push(testcase(s.name, c));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n');
}

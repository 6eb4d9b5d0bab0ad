import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/reporters/junit.js';
import { approveGap, waiveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import type { CheckReport, GapReport, StatusReport } from '../../src/runner/read-models/report.js';
import { flipgate } from '../support/cli.js';
import { advanceAll, o8WithWaivers, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';
import { junitSchemaProblems } from './junit-xsd.js';

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
const testcases = (xml: string) => [...xml.matchAll(/<testcase [^>]*>[\s\S]*?<\/testcase>/g)].map((m) => m[0]);
const totals = (xml: string) => {
  const head = xml.match(/<testsuites [^>]*>/)![0];
  return { tests: Number(attr(head, 'tests')), failures: Number(attr(head, 'failures')), errors: Number(attr(head, 'errors')) };
};
/** What CI shows: red when any testcase failed or errored. */
const red = (xml: string) => /<(failure|error) /.test(xml);
const caseOf = (xml: string, owner: string, check: string) =>
  testcases(xml).find((c) => attr(c, 'classname')!.endsWith(`.${owner}`) && attr(c, 'name')!.split(' — ')[0] === check)!;
/** The survey's own verdict, as its exit code gives it. */
const surveyReady = (r: StatusReport) => r.ready && r.errors === 0;

describe('JUnit reports of the O8 host, from the seed state to ready', () => {
  let fx: SeedFixture;
  const reports: Record<string, StatusReport> = {};
  beforeAll(async () => {
    fx = await setupSeedHost({ edit: o8WithWaivers(['ops-lead']) });
    const s = fx.session('surveyor');
    reports.seed = (await runSurvey(s)).report;
    // GAP-8's one check is a sign-off: given, it passes while GAP-8 stays BLOCKED by GAP-6 and GAP-9.
    await approveGap(fx.session('release-manager'), 'GAP-8', { note: 'target chosen' });
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    await waiveGap(fx.session('ops-lead'), 'GAP-5', inAWeek, 'orchestrator config lands with the next deploy');
    reports.waived = (await runSurvey(s)).report;
    await provisionEverything(fx);
    await advanceAll(s);
    reports.ready = (await runSurvey(s)).report;
  });
  afterAll(async () => {
    await fx.cleanup();
  });

  it('validates against Jenkins’ junit-10.xsd in every state', async () => {
    const xml = Object.fromEntries(Object.entries(reports).map(([name, r]) => [name, formatJunit(r)]));
    expect(Object.keys(xml)).toEqual(['seed', 'waived', 'ready']);
    expect(await junitSchemaProblems(xml)).toEqual([]);
  });

  it('has one testcase per check of every GAP and section, and one for the kill switch', () => {
    const report = reports.seed!;
    const xml = formatJunit(report);
    const owners = [...report.gaps, ...report.sections];
    const cases = testcases(xml);
    expect(cases).toHaveLength(owners.reduce((n, o) => n + o.checks.length, 0) + 1);
    for (const o of owners) {
      const mine = cases.filter((c) => attr(c, 'classname') === `${report.workflow}.${o.id}`);
      expect(mine.map((c) => attr(c, 'name')!.split(' — ')[0])).toEqual(o.checks.map((c) => c.id));
    }
    expect(cases.filter((c) => attr(c, 'classname') === `${report.workflow}.killSwitch`)).toHaveLength(1);
    expect(totals(xml).tests).toBe(cases.length);
  });

  it('fails the checks that failed in a GAP, with their evidence, and passes the ones that passed', () => {
    const report = reports.seed!;
    const xml = formatJunit(report);
    const gap3 = report.gaps.find((g) => g.id === 'GAP-3')!;
    for (const c of gap3.checks) {
      const tc = caseOf(xml, 'GAP-3', c.id);
      if (c.status === 'fail') expect(tc).toContain(`<failure message="${c.evidence.replace(/&/g, '&amp;')}" type="${c.kind}"/>`);
      else expect(tc).not.toMatch(/<failure|<error/);
    }
    expect(caseOf(xml, 'GAP-1', report.gaps[0]!.checks[0]!.id)).toContain('<system-out>');
    expect(red(xml)).toBe(true);
  });

  it('shows a BLOCKED GAP as failing even when its own checks pass', () => {
    const gap8 = reports.waived!.gaps.find((g) => g.id === 'GAP-8')!;
    expect(gap8.status).toBe('BLOCKED');
    expect(gap8.checks.every((c) => c.status === 'pass')).toBe(true);
    const tc = caseOf(formatJunit(reports.waived!), 'GAP-8', gap8.checks[0]!.id);
    expect(tc).toMatch(
      /<failure message="passes, but GAP-8 is BLOCKED by GAP-6, GAP-9: it counts only once they are CLOSED or WAIVED[^"]*" type="blocked"\/>/,
    );
  });

  it('skips a waived GAP’s unmet checks, naming the waiver’s approver, reason and expiry', () => {
    const report = reports.waived!;
    const gap5 = report.gaps.find((g) => g.id === 'GAP-5')!;
    expect(gap5.status).toBe('WAIVED');
    expect(gap5.waiver).toMatchObject({ by: 'ops-lead', reason: 'orchestrator config lands with the next deploy' });
    const xml = formatJunit(report);
    const unmet = gap5.checks.filter((c) => c.status !== 'pass');
    expect(unmet.length).toBeGreaterThan(0);
    for (const c of unmet) {
      const tc = caseOf(xml, 'GAP-5', c.id);
      expect(tc).toMatch(
        new RegExp(
          `<skipped message="waived by ops-lead until ${gap5.waiver!.until.replace(/[.+]/g, '\\$&')}: orchestrator config lands with the next deploy \\(the check says: [^"]+\\)" type="waived"/>`,
        ),
      );
      expect(tc).not.toMatch(/<failure|<error/);
    }
    const suite = xml.slice(xml.indexOf(`<testsuite name="${report.workflow}.GAP-5"`));
    expect(suite).toMatch(/^<testsuite [^>]*skipped="\d+"/);
    expect(suite).toContain('<property name="waiver.by" value="ops-lead"/>');
  });

  it('is all green when the survey is ready, while an informational section still shows what is absent', () => {
    const report = reports.ready!;
    expect(surveyReady(report), JSON.stringify(report.gaps.map((g) => [g.id, g.status]))).toBe(true);
    const absent = report.sections.flatMap((s) => s.checks.filter((c) => c.status === 'fail').map((c) => ({ s, c })));
    expect(absent.length).toBeGreaterThan(0);
    const xml = formatJunit(report);
    expect(totals(xml)).toMatchObject({ failures: 0, errors: 0 });
    for (const { s, c } of absent)
      expect(caseOf(xml, s.id, c.id)).toMatch(/<skipped message="informational, never blocks: [^"]+" type="informational"\/>/);
  });

  it('is red exactly when the survey is not ready, in every state', () => {
    for (const [name, r] of Object.entries(reports)) expect(red(formatJunit(r)), name).toBe(!surveyReady(r));
  });

  it('is what flipgate survey --format junit prints', async () => {
    const r = await flipgate(['survey', '--format', 'junit', '--workflow', fx.workflowFile, '--store', fx.storePath, '--root', fx.root], {
      env: fx.env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(await junitSchemaProblems({ survey: r.stdout })).toEqual([]);
    expect(red(r.stdout)).toBe(false);
  });

  it('errors every GAP of a workflow no survey has looked at, rather than an empty green report', async () => {
    const { FileStore } = await import('../../src/store/file-store.js');
    const { openSession } = await import('../../src/runner/engine/session.js');
    const s = openSession({
      workflow: fx.wf,
      store: new FileStore(`${fx.root}/state/empty.json`, fx.wf.spec.id),
      actor: 'reader',
      root: fx.root,
      env: fx.env,
    });
    try {
      const xml = formatJunit(await readStatus(s));
      expect(await junitSchemaProblems({ unsurveyed: xml })).toEqual([]);
      expect(totals(xml).errors).toBe(fx.wf.spec.gaps.length + 1);
      expect(xml).toContain('<error message="no survey has recorded this GAP yet: run flipgate survey" type="UNKNOWN"/>');
      expect(xml).toContain('<error message="not read yet: run flipgate survey" type="killSwitch"/>');
    } finally {
      await s.close();
    }
  });
});

// Reports built by hand, to reach every outcome a testcase can have, each combined with the others.
const check = (id: string, status: CheckReport['status'], evidence = `${id} is ${status}`): CheckReport => ({
  id,
  kind: 'file',
  status,
  evidence,
  observed: {},
  ms: 2,
});
const gap = (id: string, status: GapReport['status'], checks: CheckReport[], extra: Partial<GapReport> = {}): GapReport => ({
  id,
  title: `${id} title`,
  status,
  blockedBy: [],
  waivable: true,
  checks,
  ...extra,
});

function report(gaps: GapReport[], sections: StatusReport['sections'], ks: StatusReport['killSwitch']['status']): StatusReport {
  const all = [...gaps.flatMap((g) => g.checks), ...sections.flatMap((s) => s.checks)];
  return {
    schemaVersion: 1,
    workflow: 'w',
    title: 'T <&>',
    state: 'G1',
    killSwitch: { status: ks, evidence: `switch ${ks}` },
    gates: [],
    gaps,
    sections,
    ready: ks === 'safe' && gaps.every((g) => g.status === 'CLOSED' || (g.status === 'WAIVED' && g.waivable)),
    errors: all.filter((c) => c.status === 'error').length + (ks === 'error' ? 1 : 0),
    surveyed: { seq: 3, time: '2026-11-30T10:00:00.000Z', actor: 'ci', scope: 'survey' },
  };
}

const gapVariants: GapReport[][] = [
  [gap('GAP-1', 'CLOSED', [check('a', 'pass'), check('b', 'pass')])],
  [gap('GAP-1', 'PARTIAL', [check('a', 'pass'), check('b', 'fail')])],
  [gap('GAP-1', 'OPEN', [check('a', 'skip')])],
  [gap('GAP-1', 'ERROR', [check('a', 'error'), check('b', 'pass')])],
  [gap('GAP-1', 'OPEN', [check('a', 'fail')]), gap('GAP-2', 'BLOCKED', [check('c', 'pass')], { own: 'CLOSED', blockedBy: ['GAP-1'] })],
  [
    gap('GAP-1', 'WAIVED', [check('a', 'fail'), check('b', 'skip')], {
      own: 'OPEN',
      waiver: { by: 'carol', reason: 'vendor fix due', until: '2099-01-31T23:59:59.999Z', seq: 7 },
    }),
  ],
  [gap('GAP-1', 'WAIVED', [check('a', 'error')], { own: 'ERROR', waiver: { by: 'carol', reason: 'r', until: '2099-01-31', seq: 7 } })],
  [gap('GAP-1', 'UNKNOWN', [])],
];
const sectionVariants: StatusReport['sections'][] = [
  [],
  [{ id: 'tools', title: 'Tooling', checks: [check('psql', 'pass'), check('pg_dump', 'fail')] }],
  [{ id: 'tools', title: 'Tooling', checks: [check('psql', 'skip')] }],
  [{ id: 'tools', title: 'Tooling', checks: [check('psql', 'error')] }],
];
const switchVariants: StatusReport['killSwitch']['status'][] = ['safe', 'enabled', 'unreadable', 'unknown'];
const variants = gapVariants.flatMap((g) => sectionVariants.flatMap((s) => switchVariants.map((k) => report(g, s, k))));

describe('JUnit report variants', () => {
  it(`all ${variants.length} validate against junit-10.xsd`, async () => {
    const all = Object.fromEntries(variants.map((r, i) => [`variant-${i}`, formatJunit(r)]));
    const problems = await junitSchemaProblems(all);
    expect(problems, problems.length ? all[problems[0]!.split('.xml')[0]!] : '').toEqual([]);
  });

  it('are red exactly when the survey would not be ready, and count what they hold', () => {
    for (const r of variants) {
      const xml = formatJunit(r);
      expect(red(xml), xml).toBe(!surveyReady(r));
      const cases = testcases(xml);
      expect(totals(xml)).toEqual({
        tests: cases.length,
        failures: cases.filter((c) => c.includes('<failure ')).length,
        errors: cases.filter((c) => c.includes('<error ')).length,
      });
    }
  });

  it('keep an ERROR an error under a waiver, and a section’s ERROR too, as the survey counts them', () => {
    const waivedError = formatJunit(report(gapVariants[6]!, [], 'safe'));
    expect(caseOf(waivedError, 'GAP-1', 'a')).toContain('<error message="a is error" type="file"/>');
    const sectionError = formatJunit(report(gapVariants[0]!, sectionVariants[3]!, 'safe'));
    expect(caseOf(sectionError, 'tools', 'psql')).toContain('<error ');
  });

  it('never let a check that did not run pass a GAP', () => {
    expect(caseOf(formatJunit(report(gapVariants[2]!, [], 'safe')), 'GAP-1', 'a')).toMatch(
      /<failure message="did not run, and a check that did not run never counts as a pass: a is skip"/,
    );
  });

  it('escape markup in evidence and drop control characters XML cannot hold', async () => {
    const r = report([gap('GAP-1', 'OPEN', [check('c', 'fail', 'a <b> & "c"\u0001\u001b[31m')])], [], 'error');
    r.killSwitch.evidence = 'cannot read "x"';
    const xml = formatJunit(r);
    expect(xml).toContain('message="a &lt;b&gt; &amp; &quot;c&quot;[31m"');
    expect(xml).toContain('<testsuites name="T &lt;&amp;&gt;"');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).toMatch(/classname="w.killSwitch"[^>]*>\n\s*<error message="cannot read &quot;x&quot;"/);
    expect(await junitSchemaProblems({ escaped: xml })).toEqual([]);
  });

  it('are checked by a validator that rejects what junit-10.xsd forbids', async () => {
    const xml = formatJunit(variants[0]!);
    expect(await junitSchemaProblems({ ok: xml })).toEqual([]);
    const problems = await junitSchemaProblems({ bad: xml.replace('<testsuites ', '<testsuites skipped="0" ') });
    expect(problems.join('\n')).toMatch(/^bad\.xml:2: .*Element 'testsuites', attribute 'skipped': The attribute 'skipped' is not allowed/);
  });
});

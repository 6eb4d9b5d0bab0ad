import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/reporters/junit.js';
import type { StatusReport } from '../../src/runner/report.js';
import { runSurvey } from '../../src/runner/workflow.js';
import { flipgate } from '../support/cli.js';
import { O8, setupSeedHost, type SeedFixture } from '../support/seed.js';

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
const testcases = (xml: string) => [...xml.matchAll(/<testcase [^>]*>[\s\S]*?<\/testcase>/g)].map((m) => m[0]);

describe('the JUnit report of the seed-state host', () => {
  let fx: SeedFixture;
  let report: StatusReport;
  let xml: string;
  beforeAll(async () => {
    fx = await setupSeedHost();
    report = (await runSurvey(fx.session('surveyor'))).report;
    xml = formatJunit(report);
  });
  afterAll(async () => {
    await fx.cleanup();
  });

  it('has one testcase per check of every GAP and section, and one for the kill switch', () => {
    const owners = [...report.gaps.map((g) => ({ id: g.id, checks: g.checks })), ...report.sections.map((s) => ({ id: s.id, checks: s.checks }))];
    const cases = testcases(xml);
    expect(cases).toHaveLength(owners.reduce((n, o) => n + o.checks.length, 0) + 1);
    for (const o of owners) {
      const mine = cases.filter((c) => attr(c, 'classname') === `${report.workflow}.${o.id}`);
      expect(mine.map((c) => attr(c, 'name')!.split(' — ')[0])).toEqual(o.checks.map((c) => c.id));
    }
    expect(cases.filter((c) => attr(c, 'classname') === `${report.workflow}.killSwitch`)).toHaveLength(1);
  });

  it('marks failed checks as failures with their evidence, and passing ones with none', () => {
    const cases = testcases(xml);
    const all = [...report.gaps.flatMap((g) => g.checks.map((c) => ({ owner: g.id, c }))), ...report.sections.flatMap((s) => s.checks.map((c) => ({ owner: s.id, c })))];
    for (const { owner, c } of all) {
      const tc = cases.find((x) => attr(x, 'classname') === `${report.workflow}.${owner}` && attr(x, 'name')!.startsWith(c.id))!;
      if (c.status === 'fail') expect(tc, `${owner}.${c.id}`).toMatch(/<failure message="[^"]+" type="[^"]+"\/>/);
      else expect(tc, `${owner}.${c.id}`).not.toMatch(/<failure|<error/);
    }
    const failures = all.filter((x) => x.c.status === 'fail').length;
    expect(failures).toBeGreaterThan(0);
    expect(attr(xml.match(/<testsuites [^>]*>/)![0], 'failures')).toBe(String(failures));
  });

  it('labels each GAP’s suite with its status', () => {
    for (const g of report.gaps) expect(xml).toContain(`value="${g.id} ${g.title.replace(/&/g, '&amp;')} [${g.status}]"`);
  });

  it('is what flipgate survey --format junit prints', async () => {
    const r = await flipgate(['survey', '--format', 'junit', '--workflow', O8, '--store', fx.storePath, '--root', fx.root], { env: fx.env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(testcases(r.stdout)).toHaveLength(testcases(xml).length);
  });
});

describe('JUnit escaping', () => {
  it('escapes markup in evidence and drops control characters XML cannot hold', () => {
    const report: StatusReport = {
      schemaVersion: 1,
      workflow: 'w',
      title: 'T <&>',
      state: 'G1',
      killSwitch: { status: 'error', evidence: 'cannot read "x"' },
      gates: [],
      gaps: [{ id: 'GAP-1', title: 'one', status: 'OPEN', blockedBy: [], waivable: true, checks: [{ id: 'c', kind: 'file', status: 'fail', evidence: 'a <b> & "c"\u0001\u001b[31m', observed: {}, ms: 1 }] }],
      sections: [],
      ready: false,
      errors: 1,
    };
    const xml = formatJunit(report);
    expect(xml).toContain('message="a &lt;b&gt; &amp; &quot;c&quot;[31m"');
    expect(xml).toContain('<testsuites name="T &lt;&amp;&gt;"');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml).toMatch(/classname="w.killSwitch"[^>]*>\n\s*<error message="cannot read &quot;x&quot;"/);
  });
});

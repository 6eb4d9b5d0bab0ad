import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMarkdown, md } from '../../src/reporters/markdown.js';
import { advanceWorkflow, readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { openSession } from '../../src/runner/engine/session.js';
import type { StatusReport } from '../../src/runner/read-models/report.js';
import { FileStore } from '../../src/store/file-store.js';
import { type SeedFixture, setupSeedHost } from '../support/seed.js';

// The seed survey's section 6 ("GAP status table (re-surveyed live)"), icon and status for each GAP.
const seedSection6: Record<string, string> = {
  'GAP-1': '✅ CLOSED',
  'GAP-2': '✅ CLOSED',
  'GAP-3': '❌ OPEN',
  'GAP-4': '⚠️ PARTIAL',
  'GAP-5': '❌ OPEN',
  'GAP-6': '❌ OPEN',
  'GAP-7': '❌ OPEN',
  'GAP-8': '❌ OPEN/BLOCKED',
  'GAP-9': '❌ OPEN',
};

/** CommonMark's backslash escapes and the entities md() writes, undone: what a reader sees. */
const shown = (s: string) =>
  s
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('the Markdown report of the seed-state host', () => {
  let fx: SeedFixture;
  let report: StatusReport;
  let text: string;
  beforeAll(async () => {
    fx = await setupSeedHost();
    const s = fx.session('surveyor');
    // As in the seed, G1 was passed earlier (O6B); the report is the survey made at G2.
    await runSurvey(s);
    await advanceWorkflow(s);
    report = (await runSurvey(s)).report;
    text = formatMarkdown(report);
  });
  afterAll(async () => {
    await fx.cleanup();
  });

  it('reads like the seed’s section 6: GAP-1/2 ✅ CLOSED, GAP-3 ❌ OPEN, GAP-4 ⚠️ PARTIAL, GAP-8 ❌ OPEN/BLOCKED', () => {
    const rows = text.split('\n').filter((l) => /^\| GAP-\d+ \|/.test(l));
    const statuses = Object.fromEntries(
      rows.map((l) => {
        const cells = l.split(' | ');
        return [cells[0]!.slice(2), cells[2]!.split(' — ')[0]!.replace(/ \|$/, '')];
      }),
    );
    expect(statuses).toEqual(seedSection6);
    for (const g of report.gaps) expect(rows.find((r) => r.startsWith(`| ${g.id} |`))).toContain(md(g.title));
  });

  it('gives each GAP that is not closed the reason the survey found, and a closed one none', () => {
    const row = (id: string) => text.split('\n').find((l) => l.startsWith(`| ${id} |`))!;
    expect(shown(row('GAP-3'))).toContain('lacks BACKUP_GPG_FPR');
    expect(row('GAP-4')).toContain('roles-present ok');
    expect(row('GAP-8')).toContain('blocked by GAP-6, GAP-9');
    expect(row('GAP-1')).toMatch(/✅ CLOSED \|$/);
  });

  it('has one numbered section per concern, each a present/absent table, then the GAP table, as the seed numbers them', () => {
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      ...report.sections.map((s, i) => `## ${i + 1}. ${md(s.title)}`),
      `## ${report.sections.length + 1}. GAP status table`,
    ]);
    for (const s of report.sections) {
      const body = text.slice(text.indexOf(`## ${report.sections.indexOf(s) + 1}. `));
      expect(body.split('\n').slice(2, 4)).toEqual(['| Item | Present | Notes |', '|---|---|---|']);
    }
    const rollback = text.slice(text.indexOf('Rollback / disable mechanism'), text.indexOf('GAP status table'));
    expect(rollback).toMatch(/\| cutter orchestrate void \| ❌ absent \| cutter-orchestrate is not on PATH \|/);
    expect(rollback).toContain('1 of 2 not present: cutter orchestrate void.');
    const roles = text.slice(text.indexOf('Roles / principals'), text.indexOf('## 2.'));
    expect(roles).toContain(`All ${report.sections.find((s) => s.id === 'roles')!.checks.length} present.`);
  });

  it('names the gate it covers and closes with a verdict line like “G2 = SURVEYED”, naming what is not ready', () => {
    expect(text).toContain('- gate covered: G2 Production prerequisite survey (no mutation)');
    const last = text.trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^G2 = SURVEYED\. /);
    expect(last).toContain('Not ready: Rollback / disable mechanism.');
    for (const g of report.gaps.filter((x) => x.status !== 'CLOSED')) expect(last).toContain(g.id);
    expect(last).not.toContain('GAP-1,');
  });

  it('never shows a secret planted in the host’s files or database', () => {
    expect(text).not.toContain(fx.host.secret);
  });

  it('says that no survey is recorded when the store is empty', async () => {
    const store = new FileStore(`${fx.root}/state/empty.json`, fx.wf.spec.id);
    const s = openSession({ workflow: fx.wf, store, actor: 'reader', root: fx.root, env: fx.env });
    try {
      const empty = formatMarkdown(await readStatus(s));
      expect(empty).toContain('No survey has been recorded yet: run flipgate survey.');
      expect(empty).toContain('| GAP-1 | v0.6 code on Contabo | · UNKNOWN');
    } finally {
      await s.close();
    }
  });
});

describe('the Markdown verdict', () => {
  const check = (id: string, status: 'pass' | 'fail' | 'error') => ({
    id,
    kind: 'tool',
    status,
    evidence: `${id} ${status}`,
    observed: {},
    ms: 1,
  });
  const report = (over: Partial<StatusReport>): StatusReport => ({
    schemaVersion: 1,
    workflow: 'w',
    title: 'W',
    state: 'armed',
    killSwitch: { status: 'safe', evidence: 'safe' },
    gates: [],
    gaps: [{ id: 'GAP-1', title: 'one', status: 'CLOSED', blockedBy: [], waivable: true, checks: [check('a', 'pass')] }],
    sections: [
      { id: 'roles', title: 'Roles', checks: [check('r', 'pass')] },
      { id: 'tools', title: 'Tooling', checks: [check('psql', 'pass'), check('pg_dump', 'fail')] },
    ],
    ready: true,
    errors: 0,
    ...over,
  });
  const last = (r: StatusReport) => formatMarkdown(r).trimEnd().split('\n').at(-1)!;

  it('says READY when the survey is ready, noting an informational section with something absent without calling it not ready', () => {
    expect(last(report({}))).toBe(
      'armed = READY. Ready: Roles. Informational, not all present (never blocks): Tooling. READY — every GAP is CLOSED or validly WAIVED and the kill switch reads safe.',
    );
  });

  it('says SURVEYED and names what is not ready when the survey is not ready', () => {
    const open = report({
      ready: false,
      gaps: [{ id: 'GAP-1', title: 'one', status: 'OPEN', blockedBy: [], waivable: true, checks: [check('a', 'fail')] }],
    });
    expect(last(open)).toMatch(/^armed = SURVEYED\. Ready: Roles\. Not ready: Tooling\. NOT READY — 1 of 1 GAPs not closed: GAP-1\.$/);
    const errored = report({ errors: 1, sections: [{ id: 'tools', title: 'Tooling', checks: [check('psql', 'error')] }] });
    expect(last(errored)).toMatch(/^armed = SURVEYED\. Not ready: Tooling\. NOT READY — 1 check\(s\) could not be evaluated/);
  });
});

describe('Markdown escaping of evidence', () => {
  const samples = [
    '/^__execution_enabled__\\s*=\\s*False\\b/',
    'orchestrator.* config + /var/lib/cutter/*',
    'a | b in one cell',
    '<script>alert(1)</script> & &amp; [link](x) `code`',
    'DQ_4 and fn_iu_create keep their underscores',
    'line one\nline two',
  ];

  it('shows paths, globs and regexes as written, on one line', () => {
    for (const s of samples) expect(shown(md(s))).toBe(s.replace(/\n/g, ' '));
  });

  it('leaves nothing Markdown would turn into emphasis, a tag, a link, or a new table cell', () => {
    for (const s of samples) {
      const out = md(s);
      expect(out).not.toMatch(/(^|[^\\])[*`|[]/);
      expect(out).not.toMatch(/<[a-z]/i);
      // An underscore left bare sits between two letters or digits, where Markdown never reads emphasis.
      for (const m of out.matchAll(/(^|[^\\])_/g)) {
        const at = m.index! + m[1]!.length;
        expect(`${out[at - 1]}${out[at + 1]}`, `${out} at ${at}`).toMatch(/^[A-Za-z0-9]{2}$/);
      }
    }
    expect(md('DQ_4')).toBe('DQ_4');
  });
});

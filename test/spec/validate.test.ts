import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../../src/errors.js';
import { loadWorkflow } from '../../src/spec/load.js';
import { flipgate } from '../support/cli.js';

const dir = 'test/fixtures/bad-specs';

// Each bad spec: where the one problem is, and words the message must hold (what was found, the fix).
const cases: Record<string, { at: string; says: RegExp[] }> = {
  'mode-number.yaml': { at: ':25:15: gaps[0].checks[0].mode:', says: [/YAML reads 0640 as the number 640/, /quote it: mode: "0640"/] },
  'version-number.yaml': { at: ':29:21: gaps[0].checks[1].minVersion:', says: [/YAML reads 2.10 as the number 2.1/, /minVersion: "2.10"/] },
  'unknown-kind.yaml': { at: ':23:15: gaps[0].checks[0].kind:', says: [/unknown check kind "files"/, /did you mean "file"/] },
  'unknown-field.yaml': { at: ':24:9: gaps[0].checks[0].paht:', says: [/unknown field "paht"/, /did you mean "path"/] },
  'duplicate-gap.yaml': { at: ':33:9: gaps[2].id:', says: [/duplicate GAP id "GAP-2"/, /own id/] },
  'duplicate-check.yaml': { at: ':26:13: gaps[0].checks[1].id:', says: [/duplicate check id "config"/] },
  'unknown-gap-ref.yaml': { at: ':17:16: gates[1].requires[0]:', says: [/"GAP-3" is not a GAP/] },
  'cycle.yaml': { at: ':21:16: gaps[0].blockedBy:', says: [/cycle GAP-1 → GAP-2 → GAP-1/, /remove one/] },
  'blocked-by-self.yaml': { at: ':28:17: gaps[1].blockedBy[0]:', says: [/blocked by itself/] },
  'bad-regex.yaml': { at: ':10:12: killSwitch.pattern:', says: [/not a valid regular expression/, /escape literal/] },
  'bad-mode-string.yaml': { at: ':25:15: gaps[0].checks[0].mode:', says: [/octal mode string/, /"0999"/] },
  'relative-path.yaml': { at: ':24:15: gaps[0].checks[0].path:', says: [/absolute path/, /"app.conf"/] },
  'newline-path.yaml': {
    at: ':24:15: gaps[0].checks[0].path:',
    says: [/no "\.\." segment and no control character/, /found the string "\/x\\n\/\.\.\/\.\./, /write it like \/opt\/app\/\.env/],
  },
  'dotdot-path.yaml': { at: ':24:15: gaps[0].checks[0].path:', says: [/no "\.\." segment/, /"\/opt\/app\/\.\.\/\.\.\/etc\/shadow"/] },
  'multi-statement-sql.yaml': {
    at: ':28:14: gaps[0].checks[1].sql:',
    says: [/holds 4 statements \(TransactionStmt, CreateStmt, InsertStmt, SelectStmt\)/, /runs exactly one/, /keep a single SELECT/],
  },
  'alias-bomb.yaml': { at: ': YAML aliases', says: [/expand past the limit of 100/, /use fewer aliases/] },
  'too-deep.yaml': { at: ':2:', says: [/nested more than 64 levels deep \(the limit\)/, /flatten it/] },
  'missing-gates.yaml': { at: ':2:1:', says: [/"gates" is missing/, /add gates:/] },
  'undefined-var.yaml': { at: ':24:15: gaps[0].checks[0].path:', says: [/\$\{APP_HOME\} is not defined/, /under vars:/] },
  'bad-yaml.yaml': { at: ':4:1:', says: [/invalid YAML/] },
  'duplicate-key.yaml': { at: ':4:1:', says: [/Map keys must be unique/] },
  'killswitch-approval.yaml': { at: ':8:9: killSwitch.kind:', says: [/read from the host/] },
};

describe('flipgate validate', () => {
  it('has a case for every bad spec fixture', async () => {
    expect((await readdir(dir)).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const [file, expected] of Object.entries(cases)) {
    it(`rejects ${file} with one line naming file, line, column, field and fix, exit 2`, async () => {
      const r = await flipgate(['validate', `${dir}/${file}`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`flipgate: ${dir}/${file}${expected.at}`);
      for (const s of expected.says) expect(lines[0]).toMatch(s);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('accepts the bundled O8 workflow and the minimal fixture', async () => {
    for (const f of ['machines/o8-production-readiness.yaml', 'test/fixtures/specs/minimal.yaml']) {
      const r = await flipgate(['validate', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/valid — workflow/);
    }
  });

  it('says the file does not exist, with the fix, for a missing file', async () => {
    const r = await flipgate(['validate', 'nope.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'flipgate: nope.yaml: workflow file does not exist — check the path given to --workflow or FLIPGATE_WORKFLOW',
    );
  });

  it('prints the problems as {"error": …} on stdout with --json, each with its fix', async () => {
    const r = await flipgate(['validate', `${dir}/mode-number.yaml`, '--json']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout);
    expect(body.error.problems[0]).toMatchObject({
      file: `${dir}/mode-number.yaml`,
      line: 25,
      column: 15,
      field: 'gaps[0].checks[0].mode',
      fix: 'quote it: mode: "0640"',
    });
    for (const f of Object.keys(cases)) {
      const each = await flipgate(['validate', `${dir}/${f}`, '--json']);
      for (const p of JSON.parse(each.stdout).error.problems) expect(p.fix, `${f}: ${p.message}`).toMatch(/\w/);
    }
  });

  it('holds a path from an environment override of a var to the same rule', async () => {
    const r = await flipgate(['validate', 'test/fixtures/specs/minimal.yaml'], { env: { ...process.env, APP: '/x\n/../../../../etc' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('gaps[0].checks[0].path: must be an absolute path with no ".." segment and no control character');
    expect(r.stderr).toContain('found the string "/x\\n/../../../../etc/app.conf"');
  });

  it('validates the workflow every other command would use when no FILE is given', async () => {
    const r = await flipgate(['validate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^machines\/o8-production-readiness\.yaml: valid — workflow o8-production-readiness/);
    const env = await flipgate(['validate'], { env: { ...process.env, FLIPGATE_WORKFLOW: 'test/fixtures/specs/minimal.yaml' } });
    expect(env.stdout).toMatch(/^test\/fixtures\/specs\/minimal\.yaml: valid/);
  });

  it('warns about a pattern that can backtrack catastrophically, and stays valid (exit 0)', async () => {
    const { mkdtemp, readFile, writeFile, rm } = await import('node:fs/promises');
    const tmp = await mkdtemp('/tmp/fg-validate-');
    const file = `${tmp}/redos.yaml`;
    await writeFile(
      file,
      (await readFile('test/fixtures/specs/minimal.yaml', 'utf8')).replace("pattern: '^enabled\\s*=\\s*false'", () => "pattern: '^(a+)+$'"),
    );
    try {
      const r = await flipgate(['validate', file]);
      expect(r.code).toBe(0);
      expect(r.stderr.trim()).toBe(
        `flipgate: warning: ${file}:10:12: killSwitch.pattern: can backtrack catastrophically: (a+)+ can match the same text in exponentially many ways, so a long line without a match takes minutes and the check ends in ERROR at its timeout — make the repeated parts unable to overlap, e.g. (a+)+ → a+, (\\w+\\s?)* → [\\w\\s]*`,
      );
      expect(r.stdout).toMatch(/valid — .* \(1 warning above\)/);
      const json = JSON.parse((await flipgate(['validate', file, '--json'])).stdout);
      expect(json.warnings[0]).toMatchObject({ line: 10, column: 12, field: 'killSwitch.pattern' });
      expect(json.warnings[0].fix).toMatch(/unable to overlap/);
    } finally {
      await rm(tmp, { recursive: true });
    }
  });

  it('lets the environment override a var, and reports every problem of a file with several', async () => {
    const wf = await loadWorkflow('test/fixtures/specs/minimal.yaml', { env: { APP: '/srv/other' } });
    expect(wf.spec.gaps[0]!.checks[0]).toMatchObject({ path: '/srv/other/app.conf' });
    expect(wf.vars.APP).toBe('/srv/other');
    const e = await loadWorkflow(`${dir}/unknown-kind.yaml`, { env: {} }).catch((x) => x);
    expect(e).toBeInstanceOf(ConfigErrors);
  });

  it('changes the spec hash when the resolved spec changes, not when only comments do', async () => {
    const { parseWorkflow } = await import('../../src/spec/load.js');
    const { readFile } = await import('node:fs/promises');
    const text = await readFile('test/fixtures/specs/minimal.yaml', 'utf8');
    const a = parseWorkflow(text, 'a.yaml', { env: {} });
    const b = parseWorkflow(`# another comment\n${text}`, 'b.yaml', { env: {} });
    const c = parseWorkflow(text.replace('min: 1', 'min: 2'), 'c.yaml', { env: {} });
    expect(b.hash).toBe(a.hash);
    expect(b.sourceHash).not.toBe(a.sourceHash);
    expect(c.hash).not.toBe(a.hash);
  });
});

import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { loadWorkflow } from '../../src/spec/load.js';
import { ConfigErrors } from '../../src/errors.js';
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
    expect(r.stderr.trim()).toBe('flipgate: nope.yaml: workflow file does not exist — check the path given to --workflow or FLIPGATE_WORKFLOW');
  });

  it('prints the problems as {"error": …} on stdout with --json', async () => {
    const r = await flipgate(['validate', `${dir}/mode-number.yaml`, '--json']);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout);
    expect(body.error.problems[0]).toMatchObject({ file: `${dir}/mode-number.yaml`, line: 25, column: 15, field: 'gaps[0].checks[0].mode' });
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

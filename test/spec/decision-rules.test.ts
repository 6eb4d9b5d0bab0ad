import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseWorkflow } from '../../src/spec/load.js';
import { killSwitchChecks } from '../../src/spec/schema.js';
import { flipgate } from '../support/cli.js';

const dir = 'test/fixtures/bad-decision-specs';

// Each bad spec: where its one problem is, and words the message must hold (what was found, the fix).
const cases: Record<string, { at: string; says: RegExp[] }> = {
  'quorum-too-large.yaml': {
    at: ':23:14: gaps[1].checks[0].min:',
    says: [/a quorum of 4 can never be reached: only 3 distinct principals may give it \(alice, bob, carol\)/, /lower min to at most 3/],
  },
  'waivers-unknown-group.yaml': {
    at: ':12:8: waivers.by[0]:',
    says: [/group "release-bord" is not defined/, /did you mean "@release-board"/],
  },
  'principal-lookalike.yaml': {
    at: ':10:31: groups.release-board[2]:',
    says: [/"\u0430lice" is not a valid principal: "\u0430" \(U\+0430\) is not allowed/, /\^\[a-z0-9\]\[a-z0-9\._@\+-\]\{0,63\}\$/],
  },
  'principal-two-spellings.yaml': {
    at: ':10:31: groups.release-board[2]:',
    says: [/"Alice" names alice again \(listed at \[0\] as "alice"\)/, /list each person once/],
  },
  'principal-blank.yaml': { at: ':19:66: gaps[1].checks[0].principals[1]:', says: [/" {2}" is not a valid principal: it is empty/] },
  'group-in-group.yaml': {
    at: ':11:19: groups.release-board[0]:',
    says: [/groups cannot contain other groups/, /list the members of "@ops"/],
  },
  'gap-waivers-wider.yaml': {
    at: ':22:20: gaps[1].waivers.by:',
    says: [/dave may not waive under the workflow's waivers.by \(@release-board\)/, /may only narrow it/],
  },
  'gap-waivers-longer.yaml': {
    at: ':20:25: gaps[1].waivers.maxDays:',
    says: [/60 days is longer than the workflow's waivers.maxDays \(30, the default\)/, /give at most 30/],
  },
  'waivers-on-unwaivable.yaml': { at: ':21:14: gaps[1].waivers:', says: [/says waivable: false and also sets waivers:/] },
  'killswitch-enabled-same-id.yaml': { at: ':10:9: killSwitch.enabled.id:', says: [/needs an id of its own/] },
};

describe('validate: who may decide', () => {
  it('has a case for every fixture', async () => {
    expect((await readdir(dir)).sort()).toEqual(Object.keys(cases).sort());
  });

  for (const [file, expected] of Object.entries(cases)) {
    it(`rejects ${file} with one line naming file, line, column, field and fix, exit 2`, async () => {
      const r = await flipgate(['validate', `${dir}/${file}`]);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`flipgate: ${dir}/${file}${expected.at}`);
      for (const s of expected.says) expect(lines[0]).toMatch(s);
    });
  }

  it('bounds a quorum by the principals listed (groups expanded, one per person), and leaves it open without a list', async () => {
    const text = await readFile(`${dir}/quorum-too-large.yaml`, 'utf8');
    expect(() =>
      parseWorkflow(text.replace('principals: ["@release-board"]', 'principals: ["@release-board", dave, Bob]'), 'q.yaml', { env: {} }),
    ).not.toThrow();
    expect(() =>
      parseWorkflow(text.replace('principals: ["@release-board"]', 'principals: ["@release-board", Bob]'), 'q.yaml', { env: {} }),
    ).toThrow(/a quorum of 4 can never be reached: only 3/);
    expect(() => parseWorkflow(text.replace('        principals: ["@release-board"]\n', ''), 'q.yaml', { env: {} })).not.toThrow();
  });

  it('stores every name normalised, so the spec hash does not depend on the spelling', async () => {
    const text = await readFile('test/fixtures/specs/decisions.yaml', 'utf8');
    const a = parseWorkflow(text, 'a.yaml', { env: {} });
    const b = parseWorkflow(text.replace('[Alice, bob, carol]', '[alice, BOB, " carol"]').replace('"Dave"', 'dave'), 'b.yaml', { env: {} });
    expect(a.spec.waivers!.by).toEqual(['@release-board', 'dave']);
    expect(b.hash).toBe(a.hash);
  });

  it('accepts a kill switch with and without its enabled check, and tells them apart', async () => {
    const o8 = parseWorkflow(await readFile('machines/o8-production-readiness.yaml', 'utf8'), 'o8.yaml', { env: {} });
    const { safe, enabled } = killSwitchChecks(o8.spec);
    expect(safe).toMatchObject({ id: 'execution-disabled', pattern: expect.stringContaining('False') });
    expect(safe).not.toHaveProperty('enabled');
    expect(enabled).toMatchObject({ id: 'execution-enabled', kind: 'file.contains', pattern: expect.stringContaining('True') });
    const minimal = parseWorkflow(await readFile('test/fixtures/specs/minimal.yaml', 'utf8'), 'm.yaml', { env: {} });
    expect(killSwitchChecks(minimal.spec).enabled).toBeUndefined();
  });

  it('suggests the field when enabled is misspelt under killSwitch', () => {
    const text = `id: x\ntitle: x\nkillSwitch:\n  id: off\n  kind: file.contains\n  path: /a\n  pattern: x\n  enabeld: { id: on, kind: file.contains, path: /a, pattern: y }\ngates: [{ id: G1, title: g, requires: [GAP-1] }]\ngaps: [{ id: GAP-1, title: t, checks: [{ id: c, kind: file, path: /a }] }]\n`;
    expect(() => parseWorkflow(text, 'typo.yaml', { env: {} })).toThrow(
      /typo.yaml:8:3: killSwitch.enabeld: unknown field "enabeld" — did you mean "enabled"\?/,
    );
  });
});

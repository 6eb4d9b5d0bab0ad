import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { probeKinds } from '../../src/probes/index.js';
import { workflowJsonSchema } from '../../src/spec/json-schema.js';
import { parseWorkflow } from '../../src/spec/load.js';
import { flipgate } from '../support/cli.js';

/** The published file, compiled by an independent validator (draft 2020-12, strict: unknown keywords and loose types are errors). */
async function publishedValidator(): Promise<ValidateFunction> {
  const schema = JSON.parse(await readFile('schema/workflow.schema.json', 'utf8'));
  return new Ajv2020({ strict: true, allErrors: true }).compile(schema);
}

const errorsOf = (v: ValidateFunction) => (v.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`).join('\n');

/** Every workflow file meant to be valid: the bundled ones, the valid fixtures, the README's example. */
async function validWorkflows(): Promise<{ name: string; text: string }[]> {
  const yamlIn = async (dir: string, match: RegExp = /\.ya?ml$/) =>
    (await readdir(dir)).filter((f) => match.test(f)).map((f) => `${dir}/${f}`);
  const files = [
    ...(await yamlIn('machines')),
    ...(await yamlIn('test/fixtures/specs')),
    ...(await yamlIn('test/fixtures', /^model-.*\.yaml$/)),
  ];
  const out = await Promise.all(files.map(async (name) => ({ name, text: await readFile(name, 'utf8') })));
  const readme = await readFile('README.md', 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) throw new Error('README.md has no ```yaml workflow example');
  return [...out, { name: 'README.md example', text: example }];
}

// What the schema alone can reject in each bad fixture (the field it points at), or why only `flipgate validate` can.
const badSpecs: Record<string, { at: string } | { beyond: string }> = {
  'mode-number.yaml': { at: '/gaps/0/checks/0/mode' },
  'version-number.yaml': { at: '/gaps/0/checks/1/minVersion' },
  'bad-mode-string.yaml': { at: '/gaps/0/checks/0/mode' },
  'relative-path.yaml': { at: '/gaps/0/checks/0/path' },
  'unknown-kind.yaml': { at: '/gaps/0/checks/0' },
  'unknown-field.yaml': { at: '/gaps/0/checks/0' },
  'missing-gates.yaml': { at: '/' },
  'bad-regex.yaml': { beyond: 'whether a pattern compiles is checked by flipgate validate' },
  'duplicate-gap.yaml': { beyond: 'uniqueness of ids across objects' },
  'duplicate-check.yaml': { beyond: 'uniqueness of ids across objects' },
  'unknown-gap-ref.yaml': { beyond: 'references between ids' },
  'cycle.yaml': { beyond: 'references between ids' },
  'blocked-by-self.yaml': { beyond: 'references between ids' },
  'undefined-var.yaml': { beyond: 'the environment is only known when flipgate runs' },
  'killswitch-approval.yaml': { beyond: 'the kill switch takes any check shape; which kinds may serve is a semantic rule' },
  'bad-yaml.yaml': { beyond: 'not YAML: the editor’s YAML parser reports it' },
  'duplicate-key.yaml': { beyond: 'duplicate keys are a YAML error' },
  'newline-path.yaml': { at: '/gaps/0/checks/0/path' },
  'dotdot-path.yaml': { beyond: 'the path holds a ${NAME}: its segments are checked once the value is filled in' },
  'multi-statement-sql.yaml': { beyond: 'SQL statements are counted by PostgreSQL’s own parser in flipgate validate' },
  'alias-bomb.yaml': { beyond: 'alias expansion is a property of the YAML text, bounded by flipgate’s loader' },
  'too-deep.yaml': { beyond: 'nesting depth is a property of the YAML text, bounded by flipgate’s loader' },
};

describe('the published JSON Schema', () => {
  it('is current: schema/workflow.schema.json equals what the validator generates', async () => {
    const file = JSON.parse(await readFile('schema/workflow.schema.json', 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(workflowJsonSchema())));
    const r = await flipgate(['schema', '--check']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('describes every check kind, with modes and versions as strings', () => {
    const text = JSON.stringify(workflowJsonSchema());
    for (const kind of probeKinds) expect(text).toContain(`"const":"${kind}"`);
    expect(text).toContain('"pattern":"^0?[0-7]{3,4}$"');
  });

  it('says, in a project without a schema file, that it is missing and how to write it (not "out of date")', async () => {
    const project = await mkdtemp(path.join(tmpdir(), 'flipgate-schema-'));
    try {
      const r = await flipgate(['schema', '--check'], { cwd: project });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'flipgate: schema/workflow.schema.json does not exist — write it with flipgate schema --out schema/workflow.schema.json',
      );
      expect(r.stderr).toContain('node_modules/flipgate/schema/workflow.schema.json');
      expect(r.stderr).not.toContain('out of date');
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  it('is referenced by the bundled workflow for editor autocompletion', async () => {
    const text = await readFile('machines/o8-production-readiness.yaml', 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/workflow.schema.json');
  });
});

describe('the JSON Schema under an independent validator (ajv, draft 2020-12, strict)', () => {
  it('accepts every bundled workflow, every valid fixture and the README example, as flipgate validate does', async () => {
    const validate = await publishedValidator();
    const all = await validWorkflows();
    expect(all.map((w) => w.name)).toContain('machines/o8-production-readiness.yaml');
    for (const { name, text } of all) {
      expect(() => parseWorkflow(text, name), `${name} is meant to be valid`).not.toThrow();
      expect(validate(parse(text)), `${name}:\n${errorsOf(validate)}`).toBe(true);
    }
  });

  it('accepts a ${NAME} placeholder wherever a constrained string may hold one', async () => {
    const validate = await publishedValidator();
    const spec = {
      id: '${WF_ID}',
      title: 'placeholders',
      vars: { APP: '/opt/app' },
      killSwitch: { id: 'off', kind: 'file.contains', path: '${APP}/flags.conf', pattern: '^live=false' },
      gates: [{ id: '${GATE}', title: 'one', requires: ['${GAP}'] }],
      gaps: [
        {
          id: 'GAP-1',
          title: 'placeholders in every kind of field',
          blockedBy: ['${BLOCKER}'],
          checks: [
            { id: 'conf', kind: 'file', path: '${APP}/app.conf', mode: '${MODE}', owner: '${OWNER}', group: '${GROUP}' },
            { id: 'dirs', kind: 'dir', paths: ['${DATA_DIR}', '/var/lib/${APP_NAME}'] },
            { id: 'env', kind: 'env.keys', path: '${ENV_FILE}', keys: ['${KEY_NAME}'] },
            { id: 'tool', kind: 'tool', name: '${TOOL}', minVersion: '${TOOL_VERSION}' },
            { id: 'gpg', kind: 'gpg.key', fingerprint: '${BACKUP_FPR}' },
            { id: 'role', kind: 'postgres.role', names: ['${ROLE}'], connection: { prefix: '${DB_PREFIX}' } },
          ],
        },
      ],
      watch: { onReopen: '${ON_REOPEN}' },
    };
    expect(validate(spec), errorsOf(validate)).toBe(true);
  });

  it('still rejects what no placeholder makes valid: $${ is a literal, not a placeholder', async () => {
    const validate = await publishedValidator();
    const spec = (path: string) => ({
      id: 'w',
      title: 't',
      killSwitch: { id: 'off', kind: 'file.contains', path, pattern: 'x' },
      gates: [{ id: 'G1', title: 'g', requires: ['GAP-1'] }],
      gaps: [{ id: 'GAP-1', title: 'g', checks: [{ id: 'c', kind: 'dir', paths: ['/x'] }] }],
    });
    expect(validate(spec('relative/${APP}'))).toBe(true);
    expect(validate(spec('relative/$${APP}'))).toBe(false);
    expect(validate(spec('relative/path'))).toBe(false);
  });

  it('keeps a check’s kind literal, since it decides which fields the check has', async () => {
    const validate = await publishedValidator();
    const spec = {
      id: 'w',
      title: 't',
      killSwitch: { id: 'off', kind: '${KIND}', path: '/x', pattern: 'x' },
      gates: [{ id: 'G1', title: 'g', requires: ['GAP-1'] }],
      gaps: [{ id: 'GAP-1', title: 'g', checks: [{ id: 'c', kind: 'dir', paths: ['/x'] }] }],
    };
    expect(validate(spec)).toBe(false);
  });

  it('has a verdict for every bad fixture', async () => {
    expect((await readdir('test/fixtures/bad-specs')).sort()).toEqual(Object.keys(badSpecs).sort());
  });

  for (const [file, expected] of Object.entries(badSpecs)) {
    if ('beyond' in expected) continue;
    it(`rejects test/fixtures/bad-specs/${file} at ${expected.at}`, async () => {
      const validate = await publishedValidator();
      const doc = parse(await readFile(`test/fixtures/bad-specs/${file}`, 'utf8'));
      expect(validate(doc)).toBe(false);
      const paths = (validate.errors ?? []).map((e) => e.instancePath || '/');
      expect(paths, errorsOf(validate)).toContain(expected.at);
    });
  }
});

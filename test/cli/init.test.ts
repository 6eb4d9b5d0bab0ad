import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flipgate } from '../support/cli.js';

/** The file's `$schema=` reference, resolved the way an editor resolves it: relative to the file. */
async function schemaOf(file: string): Promise<{ ref: string; schema: object }> {
  const first = (await readFile(file, 'utf8')).split('\n')[0]!;
  const ref = /^# yaml-language-server: \$schema=(\S+)$/.exec(first)?.[1];
  if (!ref) throw new Error(`${file} does not start with a yaml-language-server $schema line: ${first}`);
  return { ref, schema: JSON.parse(await readFile(path.resolve(path.dirname(file), ref), 'utf8')) };
}

describe('flipgate init', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'flipgate-init-'));
  });
  afterEach(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('writes machines/ID.yaml, which flipgate validate (without a warning) and the schema its $schema line names both accept', async () => {
    const r = await flipgate(['init', 'web-go-live'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote machines/web-go-live.yaml');
    const file = path.join(project, 'machines', 'web-go-live.yaml');
    const v = await flipgate(['validate', file]);
    expect(v.code, v.stderr).toBe(0);
    // A starter the flip would refuse (a kill switch without enabled:) would teach the wrong thing.
    expect(v.stderr).not.toMatch(/warning/);
    const { schema } = await schemaOf(file);
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(parse(await readFile(file, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    // The default workflow lookup (the single file in ./machines/) finds it.
    const s = await flipgate(['status'], { cwd: project });
    expect(s.stderr).not.toMatch(/no workflow|more than one/i);
    expect(s.stdout).toContain('GAP-1');
  });

  it('points $schema into the project’s node_modules/flipgate when flipgate is installed there', async () => {
    const shipped = path.join(project, 'node_modules', 'flipgate', 'schema');
    await mkdir(shipped, { recursive: true });
    await writeFile(path.join(shipped, 'workflow.schema.json'), await readFile('schema/workflow.schema.json'));
    const r = await flipgate(['init', 'app'], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect((await schemaOf(path.join(project, 'machines', 'app.yaml'))).ref).toBe('../node_modules/flipgate/schema/workflow.schema.json');
    await mkdir(path.join(project, 'ops'));
    const nested = await flipgate(['init', 'nested', '--out', 'ops/deep/nested.yaml'], { cwd: project });
    expect(nested.code, nested.stderr).toBe(0);
    expect((await schemaOf(path.join(project, 'ops', 'deep', 'nested.yaml'))).ref).toBe(
      '../../node_modules/flipgate/schema/workflow.schema.json',
    );
  });

  it('says where $schema points when flipgate is not installed in the project', async () => {
    const r = await flipgate(['init', 'app'], { cwd: project });
    expect(r.stderr).toMatch(/not installed in this project.*npm install --save-dev flipgate/);
    expect((await schemaOf(path.join(project, 'machines', 'app.yaml'))).ref).toMatch(/schema\/workflow\.schema\.json$/);
  });

  it('names the workflow after the folder when no ID is given', async () => {
    const dir = path.join(project, '2nd shop.api');
    await mkdir(dir);
    const r = await flipgate(['init'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(path.join(dir, 'machines', 'nd-shop-api.yaml'), 'utf8')).toMatch(/^id: nd-shop-api$/m);
  });

  it('refuses to overwrite a workflow, exit 2, leaving it as it was', async () => {
    await mkdir(path.join(project, 'machines'));
    const file = path.join(project, 'machines', 'app.yaml');
    await writeFile(file, 'mine\n');
    const r = await flipgate(['init', 'app'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'flipgate: machines/app.yaml: already exists; flipgate init never overwrites a workflow — give another ID or --out FILE, or move the file away first',
    );
    expect(await readFile(file, 'utf8')).toBe('mine\n');
  });

  it('refuses an ID that cannot be a workflow id, exit 2, writing nothing', async () => {
    const r = await flipgate(['init', '9 lives'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"9 lives" cannot be a workflow id — start it with a letter');
    await expect(readFile(path.join(project, 'machines', '9 lives.yaml'))).rejects.toThrow();
  });
});

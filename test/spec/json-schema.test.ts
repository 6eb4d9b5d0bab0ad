import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { workflowJsonSchema } from '../../src/spec/json-schema.js';
import { probeKinds } from '../../src/probes/index.js';
import { flipgate } from '../support/cli.js';

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

  it('is referenced by the bundled workflow for editor autocompletion', async () => {
    const text = await readFile('machines/o8-production-readiness.yaml', 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/workflow.schema.json');
  });
});

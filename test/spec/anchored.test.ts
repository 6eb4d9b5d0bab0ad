import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUnvalidated } from '../../src/spec/anchored.js';
import { loadWorkflow } from '../../src/spec/load.js';

const specs = async () => [
  ...(await readdir('machines')).filter((f) => f.endsWith('.yaml')).map((f) => path.join('machines', f)),
  ...(await readdir('test/fixtures/specs')).map((f) => path.join('test/fixtures/specs', f)),
];

describe('a workflow file read without validation (status, when the ledger anchored its spec)', () => {
  it('hashes to exactly what loadWorkflow hashes, so an anchored hash names the validated spec', async () => {
    const env = { ...process.env, BACKUP_GPG_FPR: 'x' };
    for (const file of await specs()) {
      const full = await loadWorkflow(file, { env });
      const quick = readUnvalidated(await readFile(file, 'utf8'), file, env);
      expect(quick?.hash, file).toBe(full.hash);
      expect(quick?.spec.id).toBe(full.spec.id);
    }
  });

  it('gives nothing for text that does not parse or names undefined variables, and a different hash for an invalid spec', async () => {
    expect(readUnvalidated('id: [unclosed', 'x.yaml', {})).toBeUndefined();
    expect(readUnvalidated('id: a\nid: b\n', 'x.yaml', {})).toBeUndefined();
    expect(readUnvalidated('id: x\ntitle: ${NOPE}\n', 'x.yaml', {})).toBeUndefined();
    const o8 = await readFile('machines/o8-production-readiness.yaml', 'utf8');
    const broken = readUnvalidated(o8.replace(/mode: "0640"/, 'mode: 0640'), 'o8.yaml', process.env);
    expect(broken?.hash).not.toBe(readUnvalidated(o8, 'o8.yaml', process.env)?.hash);
  });
});

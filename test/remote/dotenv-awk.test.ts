import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnvKeys } from '../../src/probes/support/key-names.js';

const readKeyNames = async (file: string) => parseEnvKeys(await readFile(file, 'utf8')).map((k) => k.name);

import { keysAwk } from '../../src/remote/ops/dotenv.js';

const text = [
  'A=1',
  '  export B = "two words"',
  'export=odd',
  "C=''",
  'D= # only a comment',
  'E: yaml value',
  'F="starts',
  'G=inside the value',
  'ends"',
  "H='one line'",
  'I=`multi',
  '`',
  '; ini comment',
  '[section]',
  'J.K-L=1',
  'not a key line',
  'M=\r',
].join('\n');
const dir = mkdtempSync(path.join(tmpdir(), 'flipgate-awk-'));
const file = path.join(dir, '.env');
writeFileSync(file, `${text}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const awks = ['awk', 'mawk', 'gawk', 'original-awk', 'busybox'].filter(
  (a) => !spawnSync(a, a === 'busybox' ? ['awk', 'BEGIN{}'] : ['BEGIN{}']).error,
);

describe('the target-side key reader', () => {
  it.each(awks)('reads the same names as the local reader under %s, and flags empty values', async (awk) => {
    const out = execFileSync(awk, [...(awk === 'busybox' ? ['awk'] : []), keysAwk, file]).toString();
    const keys = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':'));
    expect(keys.map((k) => k[2])).toEqual(await readKeyNames(file));
    expect(Object.fromEntries(keys.map((k) => [k[2], k[1] === '0']))).toEqual({
      A: false,
      B: false,
      export: false,
      C: true,
      D: true,
      E: false,
      F: false,
      H: false,
      I: false,
      'J.K-L': false,
      M: true,
    });
    expect(out).not.toMatch(/two words|yaml value|inside the value|one line/);
  });
});

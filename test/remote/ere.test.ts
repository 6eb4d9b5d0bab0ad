import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { toPosixEre } from '../../src/remote/ere.js';

const lines = [
  'VERSION = "2.14"',
  'VERSION="3.0"',
  'version = 2',
  'NAME = "cutter" # [x]',
  'path: /opt/app/bin',
  'a+b=c',
  '\ttabbed line',
  'price: $5.00 (net)',
  'key_1-name',
  'braces {1,2} and ^caret',
  'back\\slash',
  'ünïcode line',
  '',
  'x]y-z^w',
];
const dir = mkdtempSync(path.join(tmpdir(), 'flipgate-ere-'));
const file = path.join(dir, 'lines.txt');
writeFileSync(file, `${lines.join('\n')}\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Line numbers grep -E finds, in the C locale, as the target runs it. */
function grepLines(ere: string): number[] {
  try {
    const out = execFileSync('grep', ['-n', '-a', '-E', '-e', ere, file], { env: { ...process.env, LC_ALL: 'C' } }).toString();
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => Number(l.split(':')[0]));
  } catch (e) {
    if ((e as { status?: number }).status === 1) return [];
    throw e;
  }
}

const jsLines = (pattern: string): number[] => lines.flatMap((l, i) => (new RegExp(pattern, 'm').test(l) ? [i + 1] : []));

describe('JavaScript patterns as grep -E runs them on a target', () => {
  it.each([
    '^VERSION\\s*=\\s*"2\\.\\d+"',
    'VERSION|NAME',
    '(?:version|NAME) =',
    '^[A-Z]+\\s*=',
    '[^a-z]{3}',
    '\\w+_\\d-\\w+',
    'a\\+b',
    '\\$\\d\\.\\d{2}',
    '\\(net\\)$',
    '\\/opt\\/app',
    '^\\t',
    '\\{1,2\\}',
    '\\^caret',
    '[\\]\\-^]',
    '[\\d.]+',
    'x.*?z',
    'cutter"?',
    '^$',
    '\\S+\\s\\S+',
    'back\\\\slash',
    '\\x41|\\u0076ersion',
    'ünïcode',
    '[{}]',
    'VERSION\\b',
    'versio\\b',
    'key\\b',
    '\\d+\\b',
    '\\bname',
    '^\\bkey',
  ])('finds the same lines for /%s/', (pattern) => {
    expect(grepLines(toPosixEre(pattern))).toEqual(jsLines(pattern));
  });

  it.each([
    ['(?=x)', 'lookaround'],
    ['(?!x)', 'lookaround'],
    ['(?<=x)y', 'lookaround'],
    ['(a)\\1', 'backreference'],
    ['a\\bword', 'word boundary'],
    ['word \\b', 'word boundary'],
    ['cutter"\\s*#?\\b', 'word boundary'],
    ['\\Bword', '\\B'],
    ['a\\nb', 'across lines'],
    ['[^]', 'any character, newline included'],
    ['ü+', 'repeated non-ASCII'],
    ['[ü]', 'non-ASCII character inside'],
    ['[\\D]', '\\D inside'],
    ['\\p{L}', '\\p'],
    ['[\\x01-\\x1f]', 'escaped end'],
    ['\\x00', 'NUL'],
    ['(unclosed', 'JavaScript itself rejects'],
  ])('refuses /%s/ with a ConfigError that names the construct', (pattern, words) => {
    let err: unknown;
    try {
      toPosixEre(pattern);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(words);
    expect((err as Error).message).toContain('grep -E on a remote target cannot run');
  });
});

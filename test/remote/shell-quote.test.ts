import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shJoin, shQuote } from '../../src/remote/shell-quote.js';
import { hostile } from './hostile.js';

describe('quoting for the remote shell', () => {
  it('keeps every hostile word one literal argument in dash and bash', () => {
    for (const sh of ['sh', 'bash']) {
      const out = execFileSync(sh, ['-c', `printf '%s\\0' ${shJoin(hostile)}`]);
      expect(out.toString().split('\0').slice(0, -1)).toEqual(hostile);
    }
  });

  it('closes, escapes and reopens a single quote', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });

  it('refuses a NUL byte, which no argv can carry', () => {
    expect(() => shQuote('a\0b')).toThrow(/NUL/);
  });
});

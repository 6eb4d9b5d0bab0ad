import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';

describe('flipgate demo', () => {
  it('says which host tool is missing and how to install it, exit 2, when gpg is not on PATH', async () => {
    const bin = await mkdtemp(path.join(tmpdir(), 'fg-path-'));
    try {
      await symlink(process.execPath, path.join(bin, 'node'));
      const r = await flipgate(['demo'], { env: { ...process.env, PATH: bin } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^flipgate: gpg: the demo needs gpg \(GnuPG\) on PATH .* — install it: apt-get install gnupg/);
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});

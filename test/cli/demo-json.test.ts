import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';

const hasGpg = (() => {
  try {
    execFileSync('gpg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasGpg)('flipgate demo --json (needs gpg)', () => {
  it('narrates on stderr and prints only the summary, with schemaVersion, on stdout', async () => {
    const r = await flipgate(['demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      workflow: 'o8-production-readiness',
      flip: 'flipped',
      disabled: true,
      events: expect.any(Number),
      verifies: true,
    });
    expect(r.stderr).toMatch(/── 1\. Survey the host as the seed found it/);
    expect(r.stderr).toMatch(/GAP-7 closed at event \d+ .* sign-offs: ruling-alice, ruling-bob/);
  });
});

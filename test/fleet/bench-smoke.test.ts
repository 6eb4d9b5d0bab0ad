import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// bench/fleet.mjs at smoke sizes (1 and 3 hosts, one run): it runs and prints its table and summary line. It measures nothing.
describe('the fleet benchmark at smoke sizes', () => {
  it('surveys fleets as local roots (and over SSH where sshd runs) and prints the cost of an added host', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join('bench', 'fleet.mjs')],
        { env: { ...process.env, FLIPGATE_BENCH_SMOKE: '1' }, timeout: 240_000 },
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| local roots\s+\| 3\s+\| 12\s+\| \d+\.\d{3}/);
    const last = r.stdout.trim().split('\n').pop()!;
    expect(last).toMatch(/^fleet: local roots -?\d+ ms per added host \(target < 100 ms: (met|MISSED)\)/);
  }, 240_000);
});

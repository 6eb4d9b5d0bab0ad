import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { realServer } from '../support/pg.js';

function bench(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.resolve('bench/ledger.mjs')], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bench/ledger.mjs at smoke sizes (against the built dist/)', () => {
  it('prints the table for both stores, with the fsync yardstick, and ends with one summary line', async () => {
    const r = await bench({ ...process.env, FLIPGATE_BENCH_SMOKE: '1' });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^Ledger benchmark — 5 appends timed at each size after a bulk seed, median of 3 reads and verifies; yardstick: fsync of one small file = [\d.]+ ms/,
    );
    expect(lines[1]).toMatch(/^backend\s+events\s+seed \(bulk\)\s+append median\s+append p95\s+median ÷ fsync\s+verify\s+read \+ verify$/);
    const rows = lines.filter((l) => /ev\/s$/.test(l));
    expect(rows.filter((l) => l.startsWith('file')).map((l) => l.split(/\s{2,}/)[1])).toEqual(['10', '100']);
    if (realServer()) expect(rows.filter((l) => l.startsWith('Postgres'))).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatch(
      /^summary: file append 100\/10 = [\d.]+× \(target ≤ 2×: (met|MISSED)\); (postgres append [\d.]+× \((met|MISSED)\)|postgres skipped); file verify [\d,]+ events\/s .*; fsync [\d.]+ ms \[smoke sizes: not a measurement\]$/,
    );
  });
});

import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A tiny-size run of bench/model-scale.mjs against the library's source (through tsx), so that the
// suite does not depend on a build; `npm run bench` runs it at full size on dist/.
function runBench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/model-scale.mjs', ...args],
      { env: { ...process.env, FLIPGATE_LIB: 'src/index.ts' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('bench/model-scale.mjs at tiny sizes', () => {
  it('prints a row per size with full coverage, the naive traversal beside it, and one summary line', async () => {
    const r = await runBench(['--sizes', '3,9', '--naive-limit', '3', '--repeat', '1', '--max-ratio', '1000']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const row = (n: number) =>
      lines
        .find((l) => l.startsWith(`| ${n} `))
        ?.split('|')
        .map((c) => c.trim());
    for (const n of [3, 9]) expect(row(n)?.[6], `row for ${n} GAPs`).toBe('100%');
    expect(row(3)?.[12]).toMatch(/^[\d,]+$/); // 3 GAPs as parallel regions: a few dozen states, done in well under 3 s
    expect(lines.at(-1)).toMatch(
      /^summary: 9 GAPs generated in [\d,]+ ms = [\d.]+× the 3-GAP run \(limit 1000×\) ✓; paths [\d.]+×, steps [\d.]+×; coverage 100% at every size; 0 invariant violations; naive traversal finished for 3(, 9)? GAPs only$/,
    );
  });

  it('exits 2 and says what to do when the library it measures has not been built', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['bench/model-scale.mjs'],
        { env: { ...process.env, FLIPGATE_LIB: 'no-such-dir/index.js' } },
        (err, _out, stderr) => resolve({ code: Number((err as { code?: number } | null)?.code ?? 0), stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist — run npm run build first/);
  });
});

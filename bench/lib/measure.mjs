// Timing, statistics and table printing shared by the bench scripts.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { repo } from './paths.mjs';

export { repo };
export const smoke = process.env.FLIPGATE_BENCH_SMOKE === '1';
export const cli = path.join(repo, 'bin', 'flipgate.js');

/** Runs argv once; resolves with wall seconds, exit code and output (never rejects on a non-zero exit). */
export function timeRun(argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd ?? repo, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const min = (xs) => Math.min(...xs);

/**
 * Runs each variant `runs` times, interleaved (round-robin) so that load from other processes
 * spreads over all of them, after one warm-up run each (`before` runs untimed ahead of each run).
 * Returns seconds per variant, and the last run of each.
 */
export async function timeVariants(variants, runs, { warmup = 1, check } = {}) {
  const times = Object.fromEntries(variants.map((v) => [v.name, []]));
  const last = {};
  for (let round = -warmup; round < runs; round++) {
    for (const v of variants) {
      await v.before?.();
      const r = await timeRun(v.argv, v);
      if (check) check(v, r);
      last[v.name] = r;
      if (round >= 0) times[v.name].push(r.seconds);
    }
  }
  return { times, last };
}

/** `node --import` this and the process prints its peak RSS on stderr as it exits: a command measured as it runs. */
export const peakRss = `data:text/javascript,${encodeURIComponent("process.on('exit', () => process.stderr.write(`\\nFLIPGATE_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\\n`));")}`;
/** The peak RSS (bytes) a run under `peakRss` printed, or NaN. */
export const rssOf = (stderr) => Number(/FLIPGATE_BENCH_MAXRSS_KB=(\d+)/.exec(stderr)?.[1]) * 1024;

export const fmtS = (s) => (s === undefined || Number.isNaN(s) ? '—' : s.toFixed(3));
export const fmtX = (x) => (x === undefined || !Number.isFinite(x) ? '—' : `${x.toFixed(2)}×`);
export const fmtMB = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** A plain-text table (also valid Markdown): a header row, a rule, then rows; columns padded. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const line = (r) => `| ${r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join(' | ')} |`;
  return [line(all[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...all.slice(1).map(line)].join('\n');
}

export function machine() {
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    load: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

export const verdict = (ok) => (ok ? 'met' : 'MISSED');

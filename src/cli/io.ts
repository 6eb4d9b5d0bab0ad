import { ConfigError, isConfigError, Refusal } from '../errors.js';
import type { CheckResult } from '../probes/index.js';
import type { PlannedCheck } from '../runner/run-checks.js';
import { reporters, reporterNames, type ReporterName } from '../reporters/index.js';
import type { StatusReport } from '../runner/report.js';
import type { GlobalOptions } from './resolve.js';

export const useColor = (stream: NodeJS.WriteStream = process.stdout) => !!stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';

export function formatOf(opts: GlobalOptions): ReporterName {
  if (opts.json) return 'json';
  const f = (opts.format ?? 'table') as ReporterName;
  if (!reporterNames.includes(f)) throw new ConfigError(`unknown format "${opts.format}"`, { place: { field: '--format' }, fix: `use one of ${reporterNames.join(', ')}` });
  return f;
}

export function printReport(report: StatusReport, opts: GlobalOptions, extra?: { sections?: boolean }): void {
  const format = formatOf(opts);
  const text = reporters[format](report, { color: useColor(), sections: extra?.sections, width: process.stdout.columns });
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** A one-line live progress display on a terminal's stderr; nothing when piped. */
export function progress(enabled = !!process.stderr.isTTY): ((p: PlannedCheck, r: CheckResult, done: number, total: number) => void) & { clear(): void } {
  let shown = false;
  const fn = (p: PlannedCheck, r: CheckResult, done: number, total: number) => {
    if (!enabled) return;
    const mark = r.status === 'pass' ? '✓' : r.status === 'fail' ? '✗' : r.status === 'error' ? '!' : '-';
    const line = `[${done}/${total}] ${mark} ${p.ref}`.slice(0, (process.stderr.columns ?? 80) - 1);
    process.stderr.write(`\r\x1b[2K${line}`);
    shown = true;
  };
  return Object.assign(fn, {
    clear() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  });
}

/** Prints an error the user can act on: one line per problem, no stack trace. Returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof Refusal) {
    if (json) process.stdout.write(JSON.stringify({ refused: { message: e.message } }, null, 2) + '\n');
    else process.stderr.write(`flipgate: refused: ${e.message}\n`);
    return 1;
  }
  if (isConfigError(e)) {
    const lines = e.message.split('\n');
    if (json) {
      const errors = 'errors' in e ? (e as unknown as { errors: ConfigError[] }).errors : [e];
      process.stdout.write(JSON.stringify({ error: { message: lines[0], problems: errors.map((x) => ({ message: x.message, ...x.place, ...(x.fix ? { fix: x.fix } : {}) })) } }, null, 2) + '\n');
    } else for (const l of lines) process.stderr.write(`flipgate: ${l}\n`);
    return 2;
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  if (json) process.stdout.write(JSON.stringify({ error: { message: `internal error: ${msg}` } }) + '\n');
  else process.stderr.write(`flipgate: internal error: ${msg}\n(run with FLIPGATE_DEBUG=1 for details; please report it)\n`);
  if (process.env.FLIPGATE_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  return 2;
}

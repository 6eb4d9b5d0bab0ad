import { ConfigError } from '../errors.js';
import type { CheckResult } from '../probes/index.js';
import { type ReporterName, reporterNames, reporters } from '../reporters/index.js';
import type { PlannedCheck } from '../runner/engine/run-checks.js';
import type { StatusReport } from '../runner/read-models/report.js';
import { useColor } from './color.js';
import type { GlobalOptions } from './resolve.js';

export { colors, useColor } from './color.js';

export function formatOf(opts: GlobalOptions): ReporterName {
  if (opts.json) return 'json';
  const f = (opts.format ?? 'table') as ReporterName;
  if (!reporterNames.includes(f))
    throw new ConfigError(`unknown format "${opts.format}"`, {
      place: { field: '--format' },
      fix: `use one of ${reporterNames.join(', ')}`,
    });
  return f;
}

export function printReport(report: StatusReport, opts: GlobalOptions, extra?: { sections?: boolean }): void {
  const format = formatOf(opts);
  const text = reporters[format](report, {
    color: useColor(),
    sections: extra?.sections,
    width: process.stdout.columns,
    wide: !!opts.wide,
  });
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A one-line live progress display on a terminal's stderr; nothing when piped. */
export function progress(
  enabled = !!process.stderr.isTTY,
): ((p: PlannedCheck, r: CheckResult, done: number, total: number) => void) & { clear(): void } {
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

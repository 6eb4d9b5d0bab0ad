import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { StatusReport } from '../../runner/report.js';
import type { Session } from '../../runner/session.js';
import { cachedStatus, guessWorkflowId, rememberStatus } from '../cache.js';
import { printReport } from '../io.js';
import { resolveStoreLocation, resolveWorkflowFile, type GlobalOptions } from '../resolve.js';

type Run = (cmd: Command) => Promise<number>;

// The runner, the store and the probes load only once a command needs them: `status` answered
// from the cache never loads them.
const runner = () => import('../../runner/workflow.js');
const cli = () => import('../session.js');

/** Keeps the report for the next `status` (a file store only; the ledger stays the truth). */
function remember(s: Session, report: StatusReport): Promise<void> {
  return rememberStatus(report, s.wf.hash, s.store.location, (s.store as { ledgerFile?: string }).ledgerFile);
}

/** survey: every check, read-only; exit 0 only when ready and nothing errored. */
export const surveyCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const [{ runSurvey }, { cliSession }] = await Promise.all([runner(), cli()]);
  const s = await cliSession(opts, { progress: true });
  try {
    const { report } = await runSurvey(s);
    s.progress.clear();
    printReport(report, opts, { sections: true });
    await remember(s, report);
    return report.ready && report.errors === 0 ? 0 : 1;
  } finally {
    await s.close();
  }
};

/** The status report from the cache, when the workflow file and the ledger are what it was built from. */
async function statusFromCache(opts: GlobalOptions): Promise<StatusReport | undefined> {
  try {
    const file = await resolveWorkflowFile(opts);
    const text = await readFile(file, 'utf8');
    const explicit = opts.store ?? process.env.FLIPGATE_STORE;
    const guessed = explicit === undefined ? guessWorkflowId(text) : undefined;
    const location = explicit ?? (guessed ? resolveStoreLocation(opts, guessed) : undefined);
    return location ? await cachedStatus(text, location, process.env, guessed) : undefined;
  } catch {
    return undefined; // The full path below reports any problem.
  }
}

/** status: where the workflow stands, from the store alone. */
export const statusCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const cached = await statusFromCache(opts);
  if (cached) {
    printReport(cached, opts, { sections: false });
    return cached.state === 'halted' ? 1 : 0;
  }
  const [{ readStatus }, { cliSession }] = await Promise.all([runner(), cli()]);
  const s = await cliSession(opts);
  try {
    const report = await readStatus(s);
    printReport(report, opts, { sections: false });
    await remember(s, report);
    return report.state === 'halted' ? 1 : 0;
  } finally {
    await s.close();
  }
};

/** advance: probe the current gate and move one gate on when its GAPs are proven. */
export const advanceCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const [{ advanceWorkflow }, { cliSession }] = await Promise.all([runner(), cli()]);
  const s = await cliSession(opts, { progress: true });
  try {
    const r = await advanceWorkflow(s);
    s.progress.clear();
    if (opts.json) {
      process.stdout.write(JSON.stringify({ ...r.report, outcome: r.outcome, from: r.from, to: r.to, message: r.message, blockers: r.blockers }, null, 2) + '\n');
    } else {
      printReport(r.report, opts);
      process.stdout.write(`\n${r.outcome === 'blocked' || r.outcome === 'halted' ? '✗' : '✓'} ${r.message}\n`);
      for (const b of r.blockers) {
        process.stdout.write(`  ${b.gap} ${b.status}\n`);
        for (const why of b.reasons) process.stdout.write(`    - ${why}\n`);
      }
    }
    await remember(s, r.report);
    return r.outcome === 'blocked' || r.outcome === 'halted' ? 1 : 0;
  } finally {
    await s.close();
  }
};

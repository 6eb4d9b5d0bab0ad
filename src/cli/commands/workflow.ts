import type { Command } from 'commander';
import type { StatusReport } from '../../runner/read-models/report.js';
import { printReport } from '../io.js';
import type { GlobalOptions } from '../resolve.js';

type Run = (cmd: Command) => Promise<number>;

// The runner, the probes and the machine load only once a command needs them: `status` loads none.
const runner = () => import('../../runner/actions/survey-advance.js');
const cli = () => import('../session.js');

/** A ledger that fails its checks is named on stderr and makes the exit code 1, whatever else the report says. */
function tampered(report: StatusReport): boolean {
  const p = report.view?.problem;
  if (p) process.stderr.write(`flipgate: the ledger does not verify: event ${p.seq} — ${p.problem}: ${p.detail}\n`);
  return !!p;
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
    return report.ready && report.errors === 0 ? 0 : 1;
  } finally {
    await s.close();
  }
};

/**
 * status: where the workflow stands, from the checked view (no probing); 1 when halted or when the
 * ledger fails its checks. The workflow file is read every time; it is validated unless the ledger
 * anchored exactly its spec (a command that recorded validated it then), which keeps zod unloaded.
 */
export const statusCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const [{ readView }, { buildReport }, { cliReader }] = await Promise.all([
    import('../../runner/engine/ledger-view.js'),
    import('../../runner/read-models/report.js'),
    cli(),
  ]);
  const reader = await cliReader(opts, { unvalidated: true });
  try {
    const checked = await readView(reader);
    if (checked.view.specHash !== reader.wf.hash) await reader.validate();
    const { withJournaledReading } = await import('../../runner/engine/disable-journal.js');
    const report = buildReport(reader, await withJournaledReading(checked.view, reader.store.location, reader.wf.spec.id), checked);
    printReport(report, opts, { sections: false });
    return tampered(report) || report.state === 'halted' ? 1 : 0;
  } finally {
    await reader.close();
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
      process.stdout.write(
        `${JSON.stringify(
          { ...r.report, schemaVersion: 1, outcome: r.outcome, from: r.from, to: r.to, message: r.message, blockers: r.blockers },
          null,
          2,
        )}\n`,
      );
    } else {
      printReport(r.report, opts);
      process.stdout.write(`\n${r.outcome === 'blocked' || r.outcome === 'halted' ? '✗' : '✓'} ${r.message}\n`);
      for (const b of r.blockers) {
        process.stdout.write(`  ${b.gap} ${b.status}\n`);
        for (const why of b.reasons) process.stdout.write(`    - ${why}\n`);
      }
    }
    return r.outcome === 'blocked' || r.outcome === 'halted' ? 1 : 0;
  } finally {
    await s.close();
  }
};

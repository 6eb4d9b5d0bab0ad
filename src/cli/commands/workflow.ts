import type { Command } from 'commander';
import { advanceWorkflow, readStatus, runSurvey } from '../../runner/workflow.js';
import { printReport } from '../io.js';
import type { GlobalOptions } from '../resolve.js';
import { cliSession } from '../session.js';

type Run = (cmd: Command) => Promise<number>;

/** survey: every check, read-only; exit 0 only when ready and nothing errored. */
export const surveyCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
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

/** status: where the workflow stands, from the store alone. */
export const statusCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const s = await cliSession(opts);
  try {
    const report = await readStatus(s);
    printReport(report, opts, { sections: false });
    return report.state === 'halted' ? 1 : 0;
  } finally {
    await s.close();
  }
};

/** advance: probe the current gate and move one gate on when its GAPs are proven. */
export const advanceCommand: Run = async (cmd) => {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
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
    return r.outcome === 'blocked' || r.outcome === 'halted' ? 1 : 0;
  } finally {
    await s.close();
  }
};

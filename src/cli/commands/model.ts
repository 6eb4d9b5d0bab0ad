import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatProblem } from '../../errors.js';
import { checkModel } from '../../model/check.js';
import { formatCoverage } from '../../model/paths.js';
import { formatFailure } from '../../model/run.js';
import { generatePathTests, runPathTests } from '../../model/suite.js';
import { loadWorkflow } from '../../spec/load.js';
import { type GlobalOptions, resolveWorkflowFile } from '../resolve.js';

const SHOWN = 10;
const write = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** test [FILE]: generate path tests from the workflow's statechart and check every invariant at every step; exit 1 on a violation. */
export async function testCommand(file: string | undefined, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const path = file ?? (await resolveWorkflowFile(opts));
  const wf = await loadWorkflow(path);
  const report = runPathTests(generatePathTests(wf.spec));
  if (opts.json) {
    write(JSON.stringify({ file: path, ...report }, null, 2));
    return report.failures.length ? 1 : 0;
  }
  const ms = Math.round(report.ms.explore + report.ms.generate);
  write(
    `${path}: ${report.paths} path tests (${report.steps} steps) generated from workflow ${report.workflow} in ${ms} ms; ${report.invariants.length} invariants checked at every step`,
  );
  for (const f of report.failures.slice(0, SHOWN)) write(`✗ ${formatFailure(f)}`);
  if (report.failures.length > SHOWN) write(`  … and ${report.failures.length - SHOWN} more failing paths (--json lists them all)`);
  write(`coverage: ${formatCoverage(report.coverage)}`);
  const { uncoveredStates: lost } = report.coverage;
  if (lost.length)
    write(`  no path reaches ${lost.slice(0, SHOWN).join(', ')}${lost.length > SHOWN ? ', …' : ''} — run flipgate check ${path}`);
  write(
    report.failures.length
      ? `✗ ${report.failures.length} of ${report.paths} paths violate an invariant`
      : `✓ every invariant holds on every path`,
  );
  return report.failures.length ? 1 : 0;
}

/** check [FILE]: model-level findings, one line each with file:line:column; exit 1 when any. */
export async function checkCommand(file: string | undefined, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const path = file ?? (await resolveWorkflowFile(opts));
  const wf = await loadWorkflow(path);
  const findings = checkModel({ spec: wf.spec, file: path, text: await readFile(path, 'utf8') });
  if (opts.json) {
    const body = findings.map(({ place, ...f }) => ({ ...f, ...place }));
    write(JSON.stringify({ schemaVersion: 1, file: path, workflow: wf.spec.id, findings: body }, null, 2));
  } else {
    for (const f of findings) write(formatProblem(f.message, f.place, f.fix));
    write(
      findings.length
        ? `✗ ${findings.length} model finding${findings.length === 1 ? '' : 's'} in workflow ${wf.spec.id}`
        : `${path}: no model findings — every gate can be reached and passed, every GAP is required, and the flip is reachable`,
    );
  }
  return findings.length ? 1 : 0;
}

import type { Command } from 'commander';
import { type ConfigError, ConfigErrors } from '../../errors.js';
import { reviewWorkflow } from '../../spec/review.js';
import { problemJson } from '../report-error.js';
import { type GlobalOptions, resolveWorkflowFile } from '../resolve.js';

/**
 * validate [FILE]: schema and semantic checks, then the deeper review only validate runs (SQL
 * through PostgreSQL's parser, patterns' worst case); one line per problem, exit 2 when any.
 * Without FILE, the workflow every other command would use.
 */
export async function validateCommand(fileArg: string | undefined, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const file = fileArg ?? (await resolveWorkflowFile(opts));
  const { wf, errors, warnings } = await reviewWorkflow(file);
  const warn = (w: ConfigError) => process.stderr.write(`flipgate: warning: ${w.message}\n`);
  if (errors.length) {
    if (!opts.json) {
      warnings.forEach(warn);
      throw new ConfigErrors(errors);
    }
    const error = { message: errors[0]!.message, problems: errors.map(problemJson) };
    process.stdout.write(`${JSON.stringify({ schemaVersion: 1, error, warnings: warnings.map(problemJson) }, null, 2)}\n`);
    return 2;
  }
  const checks =
    wf.spec.gaps.reduce((n, g) => n + g.checks.length, 0) + (wf.spec.sections ?? []).reduce((n, s) => n + s.checks.length, 0) + 1;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          schemaVersion: 1,
          valid: true,
          file,
          workflow: wf.spec.id,
          gates: wf.spec.gates.length,
          gaps: wf.spec.gaps.length,
          checks,
          hash: wf.hash,
          warnings: warnings.map(problemJson),
        },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  warnings.forEach(warn);
  const noted = warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'} above)` : '';
  process.stdout.write(
    `${file}: valid — workflow ${wf.spec.id}: ${wf.spec.gates.length} gates, ${wf.spec.gaps.length} GAPs, ${checks} checks${noted}\n`,
  );
  return 0;
}

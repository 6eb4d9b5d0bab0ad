import { readFile } from 'node:fs/promises';
import type { ConfigError } from '../errors.js';
import { probeFor } from '../probes/index.js';
import type { Review } from '../probes/types.js';
import { issueError, type LoadedWorkflow, loadWorkflow, readYaml } from './load.js';
import type { Path } from './locate.js';
import type { Check } from './schema.js';

export interface WorkflowReview {
  wf: LoadedWorkflow;
  /** Problems that make the workflow invalid (a query of several statements, SQL that does not parse). */
  errors: ConfigError[];
  /** Things that work but may not do what was meant (a pattern that can backtrack catastrophically). */
  warnings: ConfigError[];
}

/**
 * Validates a workflow as every command does, then looks deeper, as only `flipgate validate` does:
 * each check's `review` (PostgreSQL's own parser on postgres.query, a worst-case analysis of
 * patterns). Each finding names the file, line, column and field, and its fix.
 * @throws ConfigErrors when the workflow does not load at all.
 */
export async function reviewWorkflow(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): Promise<WorkflowReview> {
  const wf = await loadWorkflow(file, opts);
  const { doc, lines } = readYaml(await readFile(file, 'utf8'), file);
  const checks: [Check, Path][] = [[wf.spec.killSwitch as Check, ['killSwitch']]];
  for (const [gi, g] of wf.spec.gaps.entries()) for (const [ci, c] of g.checks.entries()) checks.push([c, ['gaps', gi, 'checks', ci]]);
  for (const [si, s] of (wf.spec.sections ?? []).entries())
    for (const [ci, c] of s.checks.entries()) checks.push([c, ['sections', si, 'checks', ci]]);
  const found = await Promise.all(
    checks.map(async ([check, at]) => ((await probeFor(check.kind)?.review?.(check as never)) ?? []).map((r: Review) => ({ r, at }))),
  );
  const errors: ConfigError[] = [];
  const warnings: ConfigError[] = [];
  for (const { r, at } of found.flat())
    (r.severity === 'error' ? errors : warnings).push(issueError({ path: [...at, r.field], problem: r.problem }, doc, lines, file));
  if (wf.spec.flip && !wf.spec.killSwitch.enabled) {
    // Without positive evidence that execution is on, a flip could never be proven: flip --execute refuses it.
    warnings.push(
      issueError(
        {
          path: ['killSwitch'],
          problem:
            'the kill switch has no enabled: check, so flip --execute refuses this workflow — add enabled: with a check that passes once execution is on',
        },
        doc,
        lines,
        file,
      ),
    );
  }
  return { wf, errors, warnings };
}

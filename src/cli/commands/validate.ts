import type { Command } from 'commander';
import { loadWorkflow } from '../../spec/load.js';
import type { GlobalOptions } from '../resolve.js';

/** validate FILE: schema and semantic checks; one line per problem, exit 2 when any. */
export async function validateCommand(file: string, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const wf = await loadWorkflow(file);
  const checks = wf.spec.gaps.reduce((n, g) => n + g.checks.length, 0) + (wf.spec.sections ?? []).reduce((n, s) => n + s.checks.length, 0) + 1;
  if (opts.json) process.stdout.write(JSON.stringify({ valid: true, file, workflow: wf.spec.id, gates: wf.spec.gates.length, gaps: wf.spec.gaps.length, checks, hash: wf.hash }, null, 2) + '\n');
  else process.stdout.write(`${file}: valid — workflow ${wf.spec.id}: ${wf.spec.gates.length} gates, ${wf.spec.gaps.length} GAPs, ${checks} checks\n`);
  return 0;
}

import { runSurvey } from '../runner/actions/survey-advance.js';
import type { StatusReport } from '../runner/read-models/report.js';
import type { LoadedWorkflow } from '../spec/load.js';
import { withSeedWorld } from './seed-world.js';

/** The workflow the seed survey describes; its status picture is drawn from a survey of the seed-state host. */
const SEED_WORKFLOW = 'o8-production-readiness';

/**
 * Surveys the O8 seed-state host (a temp folder and an embedded Postgres, as `flipgate demo` builds it)
 * and returns the report, or nothing for any other workflow.
 * @example
 * await writeDiagrams({ statusOf: seedStatus });
 */
export async function seedStatus(wf: LoadedWorkflow): Promise<StatusReport | undefined> {
  if (wf.spec.id !== SEED_WORKFLOW) return undefined;
  const purpose = `diagrams/${SEED_WORKFLOW}.status.svg is drawn from a survey of the seed-state host, which`;
  return withSeedWorld({ purpose, workflowFile: wf.file }, async (w) => (await runSurvey(w.open('seed-survey'))).report);
}

import type { MachinePlan } from '../../machine/plan.js';
import { withJournaledReading } from '../engine/disable-journal.js';
import { readView, type ViewReader } from '../engine/ledger-view.js';
import { buildReport, type StatusReport } from './report.js';

/**
 * Where the workflow stands, from the store alone (no probing): the checked view. Needs no machine and
 * no probes, so `flipgate status` loads neither.
 * @example
 * const report = await readStatus(session);
 */
export async function readStatus(reader: ViewReader & { plan: MachinePlan }): Promise<StatusReport> {
  const checked = await readView(reader);
  return buildReport(reader, await withJournaledReading(checked.view, reader.store.location, reader.wf.spec.id), checked);
}

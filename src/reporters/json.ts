import type { StatusReport } from '../runner/read-models/report.js';

/** The stable `--json` shape (schemaVersion 1), documented in the README. */
export function formatJson(r: StatusReport): string {
  return JSON.stringify(r, null, 2);
}

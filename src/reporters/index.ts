import type { StatusReport } from '../runner/read-models/report.js';
import { formatJson } from './json.js';
import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatTable, type TableOptions } from './table.js';

export type ReporterName = 'table' | 'json' | 'markdown' | 'junit';

/** Reporters by name: each turns a report into text. */
export const reporters: Record<ReporterName, (r: StatusReport, opts: TableOptions) => string> = {
  table: formatTable,
  json: formatJson,
  markdown: formatMarkdown,
  junit: formatJunit,
};

export const reporterNames = Object.keys(reporters) as ReporterName[];

import type { GapReport, StatusReport } from '../runner/read-models/report.js';

/*
 * The fleet's GAP × host matrix, shared by the table and Markdown reporters: one row per host, one
 * column per GAP, each cell that host's own status; and, per GAP, the hosts that hold it back.
 */

/** A GAP's fleet summary: "20/20 hosts CLOSED", or "19/20 hosts CLOSED — held back by web07 (OPEN)". */
export function fleetSummary(g: GapReport): string | undefined {
  if (!g.hosts) return undefined;
  const closed = g.hosts.length - (g.heldBy?.length ?? 0);
  const held = g.hosts.filter((h) => h.status !== 'CLOSED');
  const shown = held.slice(0, 5).map((h) => `${h.host} (${h.status})`);
  if (held.length > 5) shown.push(`+${held.length - 5} more`);
  return `${closed}/${g.hosts.length} hosts CLOSED${held.length ? ` — held back by ${shown.join(', ')}` : ''}`;
}

/** Rows of the matrix: a header (Host, then GAP ids) and one row per host; empty when the report is not a fleet's. */
export function matrixRows(r: StatusReport): { head: string[]; rows: { host: string; cells: string[] }[] } {
  const hosts = r.hosts ?? [];
  const gaps = r.gaps.filter((g) => g.hosts);
  if (!hosts.length || !gaps.length) return { head: [], rows: [] };
  const rows = hosts.map((host) => ({ host, cells: gaps.map((g) => g.hosts!.find((h) => h.host === host)?.status ?? '·') }));
  return { head: ['Host', ...gaps.map((g) => g.id)], rows };
}

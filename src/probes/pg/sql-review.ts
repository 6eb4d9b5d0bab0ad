import type { Review } from '../types.js';

/** Statements that read: a SELECT (with VALUES, TABLE and WITH … SELECT), SHOW and EXPLAIN. */
const reads = new Set(['SelectStmt', 'VariableShowStmt', 'ExplainStmt']);

/**
 * Parses a postgres.query's SQL with PostgreSQL's own parser (libpg-query, WebAssembly): exactly
 * one statement, and one that reads. The server is the last word — the query runs through the
 * extended protocol, which refuses several statements, inside a READ ONLY transaction — but a
 * spec that could never pass is better refused before it runs.
 */
export async function reviewSql(field: string, sql: string): Promise<Review[]> {
  const lib = await import('libpg-query');
  await lib.loadModule();
  const error = (problem: string): Review[] => [{ field, severity: 'error', problem }];
  let stmts: { stmt?: Record<string, unknown> }[];
  try {
    stmts = (lib.parseSync(sql) as { stmts?: { stmt?: Record<string, unknown> }[] }).stmts ?? [];
  } catch (e) {
    return error(`is not valid SQL (${e instanceof Error ? e.message : String(e)}) — fix the query`);
  }
  const kinds = stmts.map((s) => Object.keys(s.stmt ?? {})[0] ?? 'unknown');
  if (!kinds.length) return error('holds no statement — give one SELECT');
  if (kinds.length > 1) {
    return error(
      `holds ${kinds.length} statements (${kinds.join(', ')}); postgres.query runs exactly one, inside its own READ ONLY transaction that is always rolled back — keep a single SELECT`,
    );
  }
  const kind = kinds[0]!;
  if (kind === 'TransactionStmt')
    return error(
      'is a transaction command; flipgate runs the query inside its own READ ONLY transaction and always rolls it back — remove it and give one SELECT',
    );
  if (!reads.has(kind))
    return error(
      `is a ${kind}, not a query: postgres.query runs read-only queries (SELECT, VALUES, TABLE, SHOW, EXPLAIN) — give one SELECT`,
    );
  return [];
}

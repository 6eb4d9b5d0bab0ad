import { connectionParam } from './pg/connection-param.js';
import { runPgCheck } from './pg/run-check.js';
import { reviewSql } from './pg/sql-review.js';
import { defineProbe, fail, pass } from './types.js';

/**
 * A read-only query returns an expected number of rows. Exactly one statement runs (the extended
 * protocol refuses several), in a READ ONLY transaction that is always rolled back. Only the count
 * is kept: row values never reach evidence.
 */
export const postgresQueryProbe = defineProbe({
  kind: 'postgres.query',
  summary: 'a read-only query returns `rows` rows exactly, or at least `minRows` (only the count is kept)',
  waitsOn: 'network',
  params: (z) => ({
    sql: z.string().min(1),
    expect: z.strictObject({
      rows: z.number().int().min(0).optional(),
      minRows: z.number().int().min(0).optional(),
      maxRows: z.number().int().min(0).optional(),
    }),
    connection: connectionParam(z),
  }),
  lint: (p) =>
    p.expect.rows === undefined && p.expect.minRows === undefined && p.expect.maxRows === undefined
      ? [{ field: 'expect', problem: 'says nothing — give rows: N, minRows: N or maxRows: N' }]
      : [],
  review: (p) => reviewSql('sql', p.sql),
  run: (p, ctx) =>
    runPgCheck(ctx, p.connection, async (q) => {
      const r = await q.query(p.sql);
      const n = r.rows.length;
      const observed = { rows: n };
      const e = p.expect;
      const noun = `${n} row${n === 1 ? '' : 's'}`;
      if (e.rows !== undefined && n !== e.rows) return fail(`query returned ${noun}, expected ${e.rows}`, observed);
      if (e.minRows !== undefined && n < e.minRows) return fail(`query returned ${noun}, expected at least ${e.minRows}`, observed);
      if (e.maxRows !== undefined && n > e.maxRows) return fail(`query returned ${noun}, expected at most ${e.maxRows}`, observed);
      return pass(`query returned ${noun}`, observed);
    }),
});

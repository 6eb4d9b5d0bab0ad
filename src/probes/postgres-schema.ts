import { connectionParam } from './pg/connection-param.js';
import { runPgCheck } from './pg/run-check.js';
import { defineProbe, fail, pass } from './types.js';

/** A schema exists and, optionally, holds these tables (or views). Reads pg_catalog, so privileges on the tables are not needed. */
export const postgresSchemaProbe = defineProbe({
  kind: 'postgres.schema',
  summary: 'a schema exists, optionally with these tables (pg_catalog)',
  waitsOn: 'network',
  params: (z) => ({ name: z.string().min(1), tables: z.array(z.string().min(1)).min(1).optional(), connection: connectionParam(z) }),
  run: (p, ctx) =>
    runPgCheck(ctx, p.connection, async (q) => {
      const ns = await q.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [p.name]);
      if (!ns.rowCount) return fail(`schema ${p.name} is absent`, { schema: p.name, present: false, missingTables: p.tables ?? [] });
      if (!p.tables) return pass(`schema ${p.name} is present`, { schema: p.name, present: true });
      const r = await q.query(
        `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','f') AND c.relname = ANY($2::text[])`,
        [p.name, p.tables],
      );
      const have = new Set(r.rows.map((row) => String(row.name)));
      const missing = p.tables.filter((t) => !have.has(t));
      const observed = { schema: p.name, present: true, tables: p.tables.filter((t) => have.has(t)), missingTables: missing };
      if (missing.length) return fail(`schema ${p.name} lacks ${missing.join(', ')}`, observed);
      return pass(`schema ${p.name} has ${p.tables.join(', ')}`, observed);
    }),
});

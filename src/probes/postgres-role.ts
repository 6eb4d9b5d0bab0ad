import { connectionParam } from './pg/connection-param.js';
import { runPgCheck } from './pg/run-check.js';
import { defineProbe, fail, pass } from './types.js';

/** Roles exist in the cluster (pg_roles). */
export const postgresRoleProbe = defineProbe({
  kind: 'postgres.role',
  summary: 'roles exist (pg_roles)',
  waitsOn: 'network',
  params: (z) => ({ names: z.array(z.string().min(1)).min(1), connection: connectionParam(z) }),
  run: (p, ctx) =>
    runPgCheck(ctx, p.connection, async (q) => {
      const r = await q.query('SELECT rolname::text AS name, rolcanlogin AS login FROM pg_roles WHERE rolname = ANY($1::text[])', [
        p.names,
      ]);
      const present = p.names.filter((n) => r.rows.some((row) => row.name === n));
      const missing = p.names.filter((n) => !present.includes(n));
      const observed = { present, missing, login: Object.fromEntries(r.rows.map((row) => [row.name, row.login])) };
      if (missing.length)
        return fail(`roles absent: ${missing.join(', ')}${present.length ? `; present: ${present.join(', ')}` : ''}`, observed);
      return pass(`roles present: ${present.join(', ')}`, observed);
    }),
});

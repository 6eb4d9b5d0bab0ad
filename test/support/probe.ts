import { createPostgresAccess } from '../../src/probes/pg/access.js';
import { probeFor } from '../../src/probes/index.js';
import type { CheckOutcome, ProbeContext } from '../../src/probes/types.js';

/** Runs one probe kind directly with a real context (Postgres from `env`). */
export async function probe(kind: string, params: Record<string, unknown>, ctx: Partial<ProbeContext> & { env?: NodeJS.ProcessEnv } = {}): Promise<CheckOutcome> {
  const env = ctx.env ?? process.env;
  const postgres = ctx.postgres ?? createPostgresAccess({ env, maxConnections: 1 });
  try {
    return await probeFor(kind)!.run(params as never, {
      root: '/',
      signal: new AbortController().signal,
      timeoutMs: 10_000,
      signoffs: [],
      excludedPrincipals: [],
      ...ctx,
      env,
      postgres,
    });
  } finally {
    if (!ctx.postgres) await postgres.close();
  }
}

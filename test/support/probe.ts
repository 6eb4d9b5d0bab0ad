import { probeFor } from '../../src/probes/index.js';
import { createPostgresAccess } from '../../src/probes/pg/access.js';
import { localHost } from '../../src/probes/support/local-host.js';
import type { CheckOutcome, ProbeContext } from '../../src/probes/types.js';

/** Runs one probe kind directly with a real context (this machine under `root`, Postgres from `env`). */
export async function probe(
  kind: string,
  params: Record<string, unknown>,
  ctx: Partial<ProbeContext> & { env?: NodeJS.ProcessEnv; root?: string } = {},
): Promise<CheckOutcome> {
  const env = ctx.env ?? process.env;
  const postgres = ctx.postgres ?? createPostgresAccess({ env, maxConnections: 1 });
  const { root, ...rest } = ctx;
  try {
    return await probeFor(kind)!.run(params as never, {
      host: localHost(root ?? '/'),
      signal: new AbortController().signal,
      timeoutMs: 10_000,
      signoffs: [],
      excludedPrincipals: [],
      ...rest,
      env,
      postgres,
    });
  } finally {
    if (!ctx.postgres) await postgres.close();
  }
}

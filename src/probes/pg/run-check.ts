import type { CheckOutcome, ProbeContext } from '../types.js';
import { errored } from '../types.js';
import { type ConnectionRef, PostgresUnavailable, type ReadOnlyQuery } from './access.js';

/** Runs one Postgres check; an unreachable server or a failing query is an error, never a pass. */
export async function runPgCheck(
  ctx: ProbeContext,
  conn: ConnectionRef | undefined,
  fn: (q: ReadOnlyQuery) => Promise<CheckOutcome>,
): Promise<CheckOutcome> {
  try {
    return await ctx.postgres.readOnly(conn, { timeoutMs: ctx.timeoutMs, signal: ctx.signal }, fn);
  } catch (e) {
    if (e instanceof PostgresUnavailable) return errored(e.message);
    throw e;
  }
}

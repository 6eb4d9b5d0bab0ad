import type { SshConnection } from '../connection.js';
import { RemoteProtocolError } from '../errors.js';
import type { Become } from '../remote-run.js';
import { shJoin, shQuote } from '../shell-quote.js';
import { library } from './library.js';
import { type Op, type OpContext, RemoteOpError, splitFrames } from './protocol.js';

/** Each operation's value, or the error it ended with; same order as the operations. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const START = 'flipgate-ops';

/**
 * Runs several operations in ONE session: `sh -s` reads the library and one call per operation
 * from stdin, so a survey's file checks on a host cost one round trip (and one `sudo -n` with
 * become). Arguments are quoted into the script; the text of a file never comes back, only tokens.
 * A connection failure rejects; an operation's own failure settles that operation only.
 */
export async function runBatch(
  conn: SshConnection,
  ops: readonly Op<unknown>[],
  opts: { root: string; become?: Become; signal?: AbortSignal },
): Promise<Settled<unknown>[]> {
  const calls = ops.map((op, i) => `fg_op ${i} ${op.fn} ${shJoin(op.args)}`).join('\n');
  const rootOnce =
    opts.root === '/'
      ? ''
      : `fg_root_asked=${shQuote(opts.root)}; fg_root_real=$(realpath "$fg_root_asked" 2>/dev/null) || fg_root_asked=\n`;
  const script = `${library}${rootOnce}printf '\\000%s\\000' ${START}\n${calls}\n`;
  const timeoutMs = ops.reduce((s, op) => s + op.timeoutS, 5) * 1000;
  const run = await conn.run(['sh', '-s'], { input: script, timeoutMs, become: opts.become, signal: opts.signal });
  const ctx: OpContext = { target: conn.label, root: opts.root };
  if (run.problem === 'aborted') return ops.map(() => ({ ok: false, error: new RemoteOpError('ECANCELED', 'cancelled') }));
  const out = run.stdout;
  const at = out.indexOf(`\0${START}\0`);
  if (at < 0) {
    if (run.problem === 'timeout')
      return ops.map(() => ({ ok: false, error: new RemoteOpError('ETIMEDOUT', `did not finish within ${timeoutMs / 1000} s`) }));
    throw new RemoteProtocolError(
      conn.label,
      `sh -s did not run flipgate's operations (exit ${run.exitCode}${run.stderr ? `: ${run.stderr.trim().split('\n')[0]}` : ''})`,
    );
  }
  const frames = splitFrames(out.subarray(at + START.length + 2), ops.length, conn.label);
  return ops.map((op, i) => {
    const frame = frames[i];
    if (!frame) {
      const why = run.problem === 'timeout' ? `the batch was stopped at its deadline (${timeoutMs / 1000} s)` : 'the batch ended before it';
      return { ok: false, error: new RemoteOpError(run.problem === 'timeout' ? 'ETIMEDOUT' : 'EFAILED', `${op.fn}: ${why}`) };
    }
    if (frame.status !== 0)
      return { ok: false, error: new RemoteOpError('EFAILED', `${op.fn} failed on the target (status ${frame.status})`) };
    try {
      return { ok: true, value: op.read(frame.tokens, ctx) };
    } catch (error) {
      return { ok: false, error };
    }
  });
}

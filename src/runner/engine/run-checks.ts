import { type CheckResult, type ProbeContext, probeFor } from '../../probes/index.js';
import { deadlineReason } from '../../probes/support/deadline.js';
import type { Check } from '../../spec/schema.js';
import { mapBounded } from '../../support/bounded.js';

/** One check to run, with the ledger reference it is known by (`GAP-3/gpg-key`, `secrets/env-production`, `killSwitch`). */
export interface PlannedCheck {
  ref: string;
  owner: { kind: 'gap' | 'section' | 'killSwitch'; id: string };
  check: Check;
}

export interface RunChecksOptions {
  concurrency: number;
  timeoutMs: number;
  context: Omit<ProbeContext, 'signal' | 'timeoutMs' | 'signoffs' | 'excludedPrincipals'>;
  signoffsFor: (gap: string) => ProbeContext['signoffs'];
  excludedPrincipals?: string[];
  onResult?: (planned: PlannedCheck, result: CheckResult, done: number, total: number) => void;
}

/**
 * How long a probe whose time is up may take to say why (a command's killed strays, a query's
 * dropped connection) before the runner answers for it.
 */
const GRACE_MS = 1000;

/**
 * Runs one check with its timeout. A probe that throws or times out is an error, never a pass:
 * at the deadline its signal is aborted, and only an error it reports within a short grace (which
 * says more than "timed out") is taken; a pass or fail arriving after the deadline is not.
 */
export async function runOneCheck(planned: PlannedCheck, opts: RunChecksOptions): Promise<CheckResult> {
  const { check } = planned;
  const timeoutMs = check.timeoutMs ?? opts.timeoutMs;
  const probe = probeFor(check.kind);
  const started = performance.now();
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  if (!probe) return { status: 'error', evidence: `unknown check kind ${check.kind}`, ms: 0 };
  const ac = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const timedOut = new Promise<'timeout'>((resolve) => {
    timers.push(
      setTimeout(() => {
        ac.abort(deadlineReason());
        timers.push(setTimeout(() => resolve('timeout'), GRACE_MS));
      }, timeoutMs),
    );
  });
  try {
    const outcome = await Promise.race([
      probe.run(check as never, {
        ...opts.context,
        signal: ac.signal,
        timeoutMs,
        signoffs: planned.owner.kind === 'gap' ? opts.signoffsFor(planned.owner.id) : [],
        excludedPrincipals: opts.excludedPrincipals ?? [],
      }),
      timedOut,
    ]);
    const late = ac.signal.aborted;
    if (outcome === 'timeout' || (late && outcome.status !== 'error'))
      return { status: 'error', evidence: `timed out after ${timeoutMs} ms`, observed: { timeoutMs }, ms: ms() };
    return { ...outcome, ms: ms() };
  } catch (e) {
    // A probe that throws has a bug; report it without its message, which could quote host data.
    const name = e instanceof Error ? e.name : typeof e;
    return { status: 'error', evidence: `the ${check.kind} probe failed unexpectedly (${name})`, ms: ms() };
  } finally {
    for (const t of timers) clearTimeout(t);
    if (!ac.signal.aborted) ac.abort();
  }
}

const waitRank = (p: PlannedCheck): number => {
  const waitsOn = probeFor(p.check.kind)?.waitsOn;
  return waitsOn === 'process' ? 0 : waitsOn === 'network' ? 1 : 2;
};

/**
 * Runs checks concurrently, at most `concurrency` at a time; results keep the input order. Checks
 * that wait on a child process start first, then those that wait on the network, so that the
 * slowest overlap everything else instead of starting last.
 */
export async function runChecks(planned: PlannedCheck[], opts: RunChecksOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = new Array(planned.length);
  const order = planned.map((_, i) => i).sort((a, b) => waitRank(planned[a]!) - waitRank(planned[b]!) || a - b);
  let done = 0;
  await mapBounded(order, opts.concurrency, async (i) => {
    results[i] = await runOneCheck(planned[i]!, opts);
    done++;
    opts.onResult?.(planned[i]!, results[i]!, done, planned.length);
  });
  return results;
}

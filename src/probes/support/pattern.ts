import { Worker } from 'node:worker_threads';
import { abortedByDeadline } from './deadline.js';

export type PatternMatch = { ok: true; lines: number[] } | { ok: false; code: 'timeout' | 'aborted' | 'bad-pattern' | 'failed'; detail: string };

// Runs in a worker thread: the numbers of the lines where the pattern matches (multiline), at most `limit`.
const workerSource = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ text, pattern, limit }) => {
  let re;
  try {
    re = new RegExp(pattern, 'gm');
  } catch (e) {
    parentPort.postMessage({ error: 'bad-pattern', detail: String(e && e.message).replace(/^Invalid regular expression: /, '') });
    return;
  }
  const lines = [];
  let line = 1;
  let counted = 0;
  let m;
  while (lines.length < limit && (m = re.exec(text)) !== null) {
    for (let i = counted; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    counted = m.index;
    if (lines[lines.length - 1] !== line) lines.push(line);
    if (m[0].length === 0) re.lastIndex++;
  }
  parentPort.postMessage({ lines });
});
`;

const idle: Worker[] = [];
const MAX_IDLE = 4;

/**
 * The line numbers where a pattern matches `text`, found in a worker thread that is terminated at
 * the deadline. A JavaScript pattern can backtrack for minutes (`^(a+)+$` on a line of `a`s), and in
 * the main thread that would stop every other check, the ledger lock's refresh and the CLI's exit
 * with it; in a worker it only costs that check its verdict (an error, never a pass or a fail).
 * Workers are kept for reuse and never keep the process alive.
 */
export function matchLines(text: string, pattern: string, opts: { timeoutMs: number; signal?: AbortSignal; limit?: number }): Promise<PatternMatch> {
  const timedOut = (): PatternMatch => ({ ok: false, code: 'timeout', detail: `did not finish within ${opts.timeoutMs} ms (a pattern that backtracks catastrophically?)` });
  const aborted = (): PatternMatch => (abortedByDeadline(opts.signal) ? timedOut() : { ok: false, code: 'aborted', detail: 'cancelled' });
  if (opts.signal?.aborted) return Promise.resolve(aborted());
  const worker = idle.pop() ?? new Worker(workerSource, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  worker.unref();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: PatternMatch, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (reusable && idle.length < MAX_IDLE) idle.push(worker);
      else void worker.terminate();
      resolve(r);
    };
    const onMessage = (m: { lines?: number[]; error?: 'bad-pattern'; detail?: string }) =>
      finish(m.lines ? { ok: true, lines: m.lines } : { ok: false, code: 'bad-pattern', detail: m.detail ?? 'invalid pattern' }, true);
    const onError = () => finish({ ok: false, code: 'failed', detail: 'the pattern could not be run (out of memory?)' }, false);
    const onExit = () => finish({ ok: false, code: 'failed', detail: 'the pattern could not be run' }, false);
    const onAbort = () => finish(aborted(), false);
    const timer = setTimeout(() => finish(timedOut(), false), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage({ text, pattern, limit: opts.limit ?? 100 });
  });
}

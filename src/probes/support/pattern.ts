import { Worker } from 'node:worker_threads';
import { abortedByDeadline } from './deadline.js';

export type PatternMatch =
  | { ok: true; lines: number[] }
  | { ok: false; code: 'timeout' | 'aborted' | 'bad-pattern' | 'failed'; detail: string };

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

// One worker usually serves every pattern of a survey in turn (starting one costs ~80 ms of CPU);
// a job that has waited SPILL_MS for it (the worker is busy with a slow pattern) gets one of its own.
const idle: Worker[] = [];
const waiting: ((w: Worker) => void)[] = [];
let alive = 0;
/** Workers not yet running: a job waiting for one of them is not stuck behind a slow pattern. */
let starting = 0;
const MAX_IDLE = 2;
const MAX_WORKERS = 8;
const SPILL_MS = 50;

function spawn(): Worker {
  alive++;
  starting++;
  const w = new Worker(workerSource, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  let online = false;
  w.once('online', () => {
    online = true;
    starting--;
  });
  w.once('exit', () => online || starting--);
  w.unref();
  return w;
}

function acquire(): Promise<Worker> {
  const free = idle.pop();
  if (free) return Promise.resolve(free);
  if (alive === 0) return Promise.resolve(spawn());
  return new Promise((resolve) => {
    let done = false;
    const take = (w: Worker) => {
      if (done) return false;
      done = true;
      clearTimeout(spill);
      resolve(w);
      return true;
    };
    const give = (w: Worker) => {
      if (!take(w)) release(w, true);
    };
    waiting.push(give);
    let spill: NodeJS.Timeout;
    const maybeSpill = () => {
      if (starting > 0 || alive >= MAX_WORKERS) {
        spill = setTimeout(maybeSpill, SPILL_MS);
        spill.unref();
        return;
      }
      waiting.splice(waiting.indexOf(give), 1);
      take(spawn());
    };
    spill = setTimeout(maybeSpill, SPILL_MS);
    spill.unref();
  });
}

function release(w: Worker, reusable: boolean): void {
  if (!reusable) {
    alive--;
    void w.terminate();
    if (waiting.length && alive === 0) waiting.shift()!(spawn());
    return;
  }
  const next = waiting.shift();
  if (next) next(w);
  else if (idle.length < MAX_IDLE) idle.push(w);
  else {
    alive--;
    void w.terminate();
  }
}

/**
 * The line numbers where a pattern matches `text`, found in a worker thread that is terminated at
 * the deadline. A JavaScript pattern can backtrack for minutes (`^(a+)+$` on a line of `a`s), and in
 * the main thread that would stop every other check, the ledger lock's refresh and the CLI's exit
 * with it; in a worker it only costs that check its verdict (an error, never a pass or a fail).
 * Workers are kept for reuse and never keep the process alive.
 */
export function matchLines(
  text: string,
  pattern: string,
  opts: { timeoutMs: number; signal?: AbortSignal; limit?: number },
): Promise<PatternMatch> {
  const timedOut = (): PatternMatch => ({
    ok: false,
    code: 'timeout',
    detail: `did not finish within ${opts.timeoutMs} ms (a pattern that backtracks catastrophically?)`,
  });
  const aborted = (): PatternMatch => (abortedByDeadline(opts.signal) ? timedOut() : { ok: false, code: 'aborted', detail: 'cancelled' });
  if (opts.signal?.aborted) return Promise.resolve(aborted());
  return new Promise((resolve) => {
    let settled = false;
    let worker: Worker | undefined;
    const finish = (r: PatternMatch, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (worker) {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        release(worker, reusable);
      }
      resolve(r);
    };
    const onMessage = (m: { lines?: number[]; error?: 'bad-pattern'; detail?: string }) =>
      finish(m.lines ? { ok: true, lines: m.lines } : { ok: false, code: 'bad-pattern', detail: m.detail ?? 'invalid pattern' }, true);
    const onError = () => finish({ ok: false, code: 'failed', detail: 'the pattern could not be run (out of memory?)' }, false);
    const onExit = () => finish({ ok: false, code: 'failed', detail: 'the pattern could not be run' }, false);
    const onAbort = () => finish(aborted(), false);
    // The deadline counts from the call: time spent waiting for a worker is part of the check's time.
    const timer = setTimeout(() => finish(timedOut(), false), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    void acquire().then((w) => {
      if (settled) return release(w, true);
      worker = w;
      w.on('message', onMessage).on('error', onError).on('exit', onExit);
      w.postMessage({ text, pattern, limit: opts.limit ?? 100 });
    });
  });
}

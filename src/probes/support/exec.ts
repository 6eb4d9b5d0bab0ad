import { randomBytes } from 'node:crypto';
import { abortedByDeadline } from './deadline.js';
import { isRunning, processesOf } from './processes.js';

export interface CommandRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started or did not finish; safe to show (no child output). */
  problem?: 'not-found' | 'timeout' | 'aborted' | 'spawn-failed' | 'signal';
  detail?: string;
  /**
   * Processes the command left behind. At a timeout: those found and killed, and those that could
   * not be killed (`survivors`). After a normal exit: those still holding its output (`background`),
   * which are left alone (a flip command may start a service).
   */
  strays?: { killed: number[]; survivors: number[] } | { background: number };
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The environment variable that marks every process a command starts, so that escaped ones can be found. */
export const RUN_MARKER = 'FLIPGATE_RUN';
/** How long to keep reading output after the command exits while something still holds its pipes. */
const DRAIN_IDLE_MS = 250;
const DRAIN_MAX_MS = 1500;
/** How long to wait for the pipes after killing everything at a timeout. */
const AFTER_KILL_MS = 250;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 'es'}`;

/**
 * Runs argv through execa, never a shell, and returns on time whatever the command does. The child
 * gets its own process group and an environment marker. At the deadline (or on abort) the whole
 * group is killed, and so is every process found with the marker or below the child in /proc (a
 * child that called `setsid` has left the group); their pids are reported. When the command exits
 * but a background process it started keeps its stdout or stderr open, the pipes are let go shortly
 * after the exit instead of waiting for that process. execa is loaded on first use, so commands that
 * run no child process never pay for it. Output past 4 MiB stops the command; it is never shown anyway.
 */
export async function runArgv(argv: readonly string[], opts: RunOptions): Promise<CommandRun> {
  const { execa } = await import('execa');
  const [file, ...args] = argv as [string, ...string[]];
  const marker = `${RUN_MARKER}=${randomBytes(9).toString('base64url')}`;
  const [markerName, markerValue] = marker.split('=') as [string, string];
  const child = execa(file, args, {
    reject: false,
    detached: true,
    stdin: 'ignore',
    env: { ...(opts.env ?? process.env), [markerName]: markerValue },
    extendEnv: false,
    cwd: opts.cwd,
    maxBuffer: 4 * 1024 * 1024,
    stripFinalNewline: false,
  });
  let problem: CommandRun['problem'];
  let strays: CommandRun['strays'];
  let exited = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const letGo = () => {
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  let killing: Promise<void> | undefined;
  const killAll = (why: 'timeout' | 'aborted') => {
    // A command that has exited is not killed at its deadline: its pipes are let go below.
    if (exited && why === 'timeout') return;
    problem ??= why;
    killing ??= (async () => {
      const pid = child.pid;
      if (pid === undefined) return;
      const found = await processesOf(pid, marker);
      for (const target of [-pid, ...found.map((p) => p.pid)]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Already gone, or not ours to kill (reported below).
        }
      }
      await new Promise((r) => setTimeout(r, 50));
      // Those outside the command's process group escaped it (setsid, or a new group of their own).
      const others = found.filter((p) => p.pgid !== pid).map((p) => p.pid);
      const alive = await Promise.all(others.map(isRunning));
      strays = { killed: others.filter((_, i) => !alive[i]), survivors: others.filter((_, i) => alive[i]) };
      later(AFTER_KILL_MS, letGo);
    })();
  };
  later(opts.timeoutMs, () => killAll('timeout'));
  const onAbort = () => killAll(abortedByDeadline(opts.signal) ? 'timeout' : 'aborted');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  // The command exited but its pipes are still open: a background process holds them. Keep reading
  // while it writes, briefly, then let the pipes go.
  let drainUntil = 0;
  let drainTimer: NodeJS.Timeout | undefined;
  const drain = () => {
    if (drainTimer) {
      clearTimeout(drainTimer);
      timers.delete(drainTimer);
    }
    const wait = Math.min(DRAIN_IDLE_MS, drainUntil - Date.now());
    drainTimer = later(Math.max(0, wait), async () => {
      if (!child.stdout?.readable && !child.stderr?.readable) return;
      if (child.pid !== undefined && !problem)
        strays = { background: (await processesOf(child.pid, marker)).filter((p) => p.pid !== child.pid).length };
      letGo();
    });
  };
  child.once('exit', () => {
    exited = true;
    drainUntil = Date.now() + DRAIN_MAX_MS;
    drain();
    child.stdout?.on('data', drain);
    child.stderr?.on('data', drain);
  });

  try {
    // A last bound, should the pipes not close even once let go.
    const hardStop = new Promise<undefined>((r) => later(opts.timeoutMs + DRAIN_MAX_MS + 2000, () => r(undefined)));
    const r = await Promise.race([child, hardStop]);
    await killing;
    if (!r) {
      letGo();
      return {
        exitCode: undefined,
        stdout: '',
        stderr: '',
        problem: problem ?? 'timeout',
        detail: stoppedDetail(problem ?? 'timeout', opts.timeoutMs, strays),
      };
    }
    const out = { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    if (problem) return { ...out, problem, detail: stoppedDetail(problem, opts.timeoutMs, strays), ...(strays ? { strays } : {}) };
    const code = (r as { code?: string }).code;
    if ((r as { isMaxBuffer?: boolean }).isMaxBuffer) {
      killAll('aborted');
      await killing;
      return { ...out, exitCode: undefined, problem: 'signal', detail: 'stopped: its output passed 4 MiB' };
    }
    if (r.failed && r.exitCode === undefined) {
      if (code === 'ENOENT') return { ...out, problem: 'not-found', detail: `${file} not found` };
      if (r.signal) return { ...out, problem: 'signal', detail: `killed by ${r.signal}` };
      return { ...out, problem: 'spawn-failed', detail: code ? `could not start (${code})` : 'could not start' };
    }
    return { ...out, ...(strays ? { strays } : {}) };
  } finally {
    for (const t of timers) clearTimeout(t);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function stoppedDetail(problem: CommandRun['problem'], timeoutMs: number, strays: CommandRun['strays']): string {
  const head =
    problem === 'timeout'
      ? `did not finish within ${timeoutMs} ms; its process group was killed`
      : 'cancelled; its process group was killed';
  if (!strays || !('killed' in strays)) return head;
  const parts: string[] = [];
  if (strays.killed.length)
    parts.push(`killed ${plural(strays.killed.length, 'process')} that had left it (pid ${strays.killed.join(', ')})`);
  if (strays.survivors.length)
    parts.push(`could not kill ${strays.survivors.length === 1 ? 'pid' : 'pids'} ${strays.survivors.join(', ')}, still running`);
  return parts.length ? `${head}, and ${parts.join('; ')}` : head;
}

import { spawn, type ChildProcess } from 'node:child_process';

export interface CommandRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started or did not finish; safe to show (no child output). */
  problem?: 'not-found' | 'timeout' | 'aborted' | 'spawn-failed' | 'signal';
  detail?: string;
}

const maxBuffer = 4 * 1024 * 1024;

/** Collects a pipe up to `maxBuffer` bytes; `over` is called once when more arrives. */
function collect(stream: NodeJS.ReadableStream | null, over: () => void): () => string {
  const chunks: Buffer[] = [];
  let size = 0;
  stream?.on('data', (b: Buffer) => {
    if (size >= maxBuffer) return;
    size += b.length;
    chunks.push(b);
    if (size >= maxBuffer) over();
  });
  return () => Buffer.concat(chunks).subarray(0, maxBuffer).toString('utf8');
}

/**
 * Runs argv without a shell. The child gets its own process group so that a timeout kills its
 * grandchildren too (a kill of the direct child alone leaves a grandchild holding the pipe, and the
 * call waiting). Plain child_process: execa's import alone cost a survey more than most checks take.
 */
export function runArgv(
  argv: readonly string[],
  opts: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<CommandRun> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      resolve({ exitCode: undefined, stdout: '', stderr: '', problem: 'spawn-failed', detail: code ? `could not start (${code})` : 'could not start' });
      return;
    }
    let problem: CommandRun['problem'];
    let settled = false;
    const kill = (why: CommandRun['problem'], signal: NodeJS.Signals = 'SIGKILL') => {
      problem ??= why;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    // Output beyond the limit stops the command, as a killed command (its output is never shown).
    const stdout = collect(child.stdout, () => kill('signal', 'SIGTERM'));
    const stderr = collect(child.stderr, () => kill('signal', 'SIGTERM'));
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
    const onAbort = () => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (r: CommandRun) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      // Only a failure to start ends the call here; anything later still ends in 'close'.
      if (child.pid !== undefined) return;
      const out = { exitCode: undefined, stdout: '', stderr: '' };
      if (e.code === 'ENOENT') finish({ ...out, problem: 'not-found', detail: `${file} not found` });
      else finish({ ...out, problem: 'spawn-failed', detail: e.code ? `could not start (${e.code})` : 'could not start' });
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      const out = { exitCode: code ?? undefined, stdout: stdout(), stderr: stderr() };
      if (problem === 'timeout' || problem === 'aborted') finish({ ...out, exitCode: undefined, problem, detail: problem === 'timeout' ? `did not finish within ${opts.timeoutMs} ms` : 'cancelled' });
      else if (problem === 'signal' || code === null) finish({ ...out, exitCode: undefined, problem: 'signal', detail: `killed by ${signal ?? 'SIGTERM'}` });
      else finish(out);
    });
  });
}

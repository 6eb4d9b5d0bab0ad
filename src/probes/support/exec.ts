export interface CommandRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started or did not finish; safe to show (no child output). */
  problem?: 'not-found' | 'timeout' | 'aborted' | 'spawn-failed' | 'signal';
  detail?: string;
}

/**
 * Runs argv through execa, never a shell. The child gets its own process group so that a timeout
 * kills its grandchildren too (execa's own timeout kills only the direct child, and a grandchild
 * holding the pipe would keep the call waiting). execa is loaded on first use, so commands that run
 * no child process never pay for it. Output past 4 MiB stops the command; it is never shown anyway.
 */
export async function runArgv(
  argv: readonly string[],
  opts: { timeoutMs: number; signal?: AbortSignal; env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<CommandRun> {
  const { execa } = await import('execa');
  const [file, ...args] = argv as [string, ...string[]];
  const child = execa(file, args, {
    reject: false,
    detached: true,
    stdin: 'ignore',
    env: opts.env,
    extendEnv: opts.env === undefined,
    cwd: opts.cwd,
    maxBuffer: 4 * 1024 * 1024,
    stripFinalNewline: false,
  });
  let problem: CommandRun['problem'];
  const killGroup = (why: CommandRun['problem']) => {
    problem ??= why;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const timer = setTimeout(() => killGroup('timeout'), opts.timeoutMs);
  const onAbort = () => killGroup('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const out = { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    if (problem) return { ...out, problem, detail: problem === 'timeout' ? `did not finish within ${opts.timeoutMs} ms` : 'cancelled' };
    const code = (r as { code?: string }).code;
    if ((r as { isMaxBuffer?: boolean }).isMaxBuffer) {
      killGroup('signal');
      return { ...out, exitCode: undefined, problem: 'signal', detail: 'stopped: its output passed 4 MiB' };
    }
    if (r.failed && r.exitCode === undefined) {
      if (code === 'ENOENT') return { ...out, problem: 'not-found', detail: `${file} not found` };
      if (r.signal) return { ...out, problem: 'signal', detail: `killed by ${r.signal}` };
      return { ...out, problem: 'spawn-failed', detail: code ? `could not start (${code})` : 'could not start' };
    }
    return out;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

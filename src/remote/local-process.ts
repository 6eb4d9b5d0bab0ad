import { spawn } from 'node:child_process';

/** What a local child process (an ssh client) did; bytes as they came, nothing decoded yet. */
export interface LocalRun {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  /** Set when the process did not run to its own end. */
  problem?: 'timeout' | 'aborted' | 'not-found' | 'output-limit' | 'spawn-failed';
}

export interface LocalRunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Stop the process once stdout passes this many bytes (default 16 MiB). */
  maxBytes?: number;
}

/**
 * Runs a program without a shell and collects its output. The child leads its own process group,
 * so a timeout or an abort kills whatever it started too (a ProxyJump's inner ssh, for one).
 * node's own child_process is used: execa costs ~50 ms to load and adds nothing here.
 */
export function runLocal(file: string, args: readonly string[], opts: LocalRunOptions = {}): Promise<LocalRun> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let problem: LocalRun['problem'];
    const stop = (why: NonNullable<LocalRun['problem']>) => {
      problem ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = opts.timeoutMs ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
    const onAbort = () => stop('aborted');
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > (opts.maxBytes ?? 16 * 1024 * 1024)) stop('output-limit');
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    const finish = (code: number | null) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err), ...(problem ? { problem } : {}) });
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      problem ??= e.code === 'ENOENT' ? 'not-found' : 'spawn-failed';
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });
}

import { type RunOptions, SshConnection } from './connection.js';
import { forwardPostgres, type PostgresEndpoint, type PostgresForward } from './forward.js';
import { accountOp } from './ops/account.js';
import { runBatch } from './ops/batch.js';
import { type DotenvFile, dotenvOp } from './ops/dotenv.js';
import { findLinesOp } from './ops/find-line.js';
import { gpgOp, type RemoteKeyring } from './ops/gpg.js';
import { listOp, type RemoteDirEntry } from './ops/list.js';
import type { Op } from './ops/protocol.js';
import { type Resolved, resolveOp } from './ops/resolve.js';
import { type RemoteStat, statOp } from './ops/stat.js';
import { type RemoteTool, toolOp, whichOp } from './ops/tool.js';
import type { Become, RemoteRun } from './remote-run.js';
import type { SshOptions } from './ssh-args.js';
import type { SshTarget } from './target.js';

export interface RemoteHostOptions extends SshOptions {
  /** `--root` on the target (default "/"): spec paths resolve under it and may not leave it. */
  root?: string;
  /** Run every operation and command as root through `sudo -n`. */
  become?: Become;
  /** Deadline of one slow operation (grep, a tool's --version, gpg) in ms (default 15000). */
  timeoutMs?: number;
}

type Queued = { op: Op<unknown>; resolve(v: unknown): void; reject(e: unknown): void };

/**
 * A host over SSH for the probes. Operations asked for in the same turn of the event loop go out
 * together, as one batch in one session (probes run concurrently, so a survey's checks on a host
 * share a few round trips); each promise settles with its own value or error. The connection is
 * opened on first use and kept for the command; if it cannot be made, every operation rejects with
 * the same SshConnectError.
 */
export class RemoteHost {
  private connection: Promise<SshConnection> | undefined;
  private queue: Queued[] = [];
  readonly root: string;

  constructor(
    readonly target: SshTarget,
    readonly opts: RemoteHostOptions = {},
  ) {
    this.root = opts.root ?? '/';
  }

  connect(): Promise<SshConnection> {
    this.connection ??= SshConnection.open(this.target, this.opts);
    return this.connection;
  }

  private get slowS(): number {
    return (this.opts.timeoutMs ?? 15_000) / 1000;
  }

  stat = (path: string): Promise<RemoteStat> => this.enqueue(statOp(this.root, path));
  resolve = (path: string): Promise<Resolved> => this.enqueue(resolveOp(this.root, path));
  list = (dir: string): Promise<RemoteDirEntry[]> => this.enqueue(listOp(this.root, dir));
  dotenvKeys = (path: string): Promise<DotenvFile[]> => this.enqueue(dotenvOp(this.root, path));
  /**
   * Numbers of the first `max` (default 1) matching lines, [] for none. Rejects with a ConfigError,
   * before anything runs, for a pattern grep -E cannot run (see ere.ts).
   */
  findLines = (path: string, pattern: string, opts: { timeoutMs?: number; max?: number } = {}): Promise<number[]> => {
    try {
      return this.enqueue(
        findLinesOp(this.root, path, pattern, { timeoutS: (opts.timeoutMs ?? this.opts.timeoutMs ?? 15_000) / 1000, max: opts.max ?? 1 }),
      );
    } catch (e) {
      return Promise.reject(e);
    }
  };
  tool = (name: string, versionArgs: readonly string[] = ['--version']): Promise<RemoteTool | null> =>
    this.enqueue(toolOp(name, versionArgs, this.slowS));
  which = (name: string): Promise<{ path: string } | 'denied'> => this.enqueue(whichOp(name));
  gpgKeys = (home?: string): Promise<RemoteKeyring> => this.enqueue(gpgOp(this.root, home, this.slowS));
  account = (kind: 'user' | 'group', name: string): Promise<number | null> => this.enqueue(accountOp(kind, name));

  /** Runs argv in a session of its own (with `become`), every element quoted as one word. */
  async exec(argv: readonly string[], opts: Omit<RunOptions, 'become'>): Promise<RemoteRun> {
    return (await this.connect()).run(argv, { ...opts, become: this.opts.become });
  }

  /** The target's Postgres as a local socket for `pg` (see forward.ts). */
  async forwardPostgres(remote: PostgresEndpoint): Promise<PostgresForward> {
    return forwardPostgres(await this.connect(), remote);
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    await c?.then(
      (conn) => conn.close(),
      () => undefined,
    );
  }

  private enqueue<T>(op: Op<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ op, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  // At most 100 operations a session, so that one slow batch does not hold up everything else;
  // an operation that runs a slow program (Op.alone) has a session to itself, in parallel.
  private async flush(): Promise<void> {
    const all = this.queue;
    this.queue = [];
    const quick = all.filter((q) => !q.op.alone);
    const chunks: Queued[][] = all.filter((q) => q.op.alone).map((q) => [q]);
    for (let i = 0; i < quick.length; i += 100) chunks.push(quick.slice(i, i + 100));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const conn = await this.connect();
          const settled = await runBatch(
            conn,
            chunk.map((q) => q.op),
            { root: this.root, become: this.opts.become },
          );
          for (const [i, s] of settled.entries()) {
            if (s.ok) chunk[i]!.resolve(s.value);
            else chunk[i]!.reject(s.error);
          }
        } catch (e) {
          for (const q of chunk) q.reject(e);
        }
      }),
    );
  }
}

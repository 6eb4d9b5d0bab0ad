import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { classifySshFailure, parseRoute } from './classify.js';
import { closeOnExit, forget } from './cleanup.js';
import { SshConnectError } from './errors.js';
import { runLocal } from './local-process.js';
import { type Become, type RemoteRun, readRemoteRun, remoteCommandLine } from './remote-run.js';
import { Semaphore } from './semaphore.js';
import { baseArgs, destination, type SshOptions } from './ssh-args.js';
import { describeTarget, type SshTarget } from './target.js';

export interface RunOptions {
  /** Bound on the target (`timeout`) and, a few seconds later, on the local ssh client. */
  timeoutMs: number;
  /** Bytes for the command's stdin (a script for `sh -s`). */
  input?: string | Buffer;
  signal?: AbortSignal;
  become?: Become;
}

/**
 * One SSH connection to one host for the whole command: the system OpenSSH client as a
 * ControlMaster on a socket in a private 0700 folder, and every command a session multiplexed over
 * it (no new handshake, no new authentication). At most `maxSessions` sessions run at once.
 *
 * @example
 * const c = await SshConnection.open(parseTarget('ssh://prod') as SshTarget);
 * try { const r = await c.run(['uname', '-r'], { timeoutMs: 5000 }); } finally { await c.close(); }
 */
export class SshConnection {
  readonly label: string;
  private readonly sessions: Semaphore;
  private reopening: Promise<void> | undefined;
  /** The master's process, so that closing can wait for it to be gone. */
  private masterPid: number | undefined;
  private closed = false;

  private constructor(
    readonly target: SshTarget,
    readonly opts: SshOptions,
    /** The private 0700 folder of the control socket and of forwarded sockets. */
    readonly dir: string,
  ) {
    this.label = describeTarget(target);
    this.sessions = new Semaphore(opts.maxSessions ?? 8);
  }

  private get ssh(): string {
    return this.opts.ssh ?? 'ssh';
  }

  get controlPath(): string {
    return path.join(this.dir, 'master');
  }

  /** Connects and authenticates, or throws an SshConnectError that says why not. */
  static async open(target: SshTarget, opts: SshOptions = {}): Promise<SshConnection> {
    const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-ssh-'));
    const c = new SshConnection(target, opts, dir);
    closeOnExit(c);
    try {
      await c.startMaster();
      return c;
    } catch (e) {
      await c.close();
      throw e;
    }
  }

  args(forwarding = false): string[] {
    return baseArgs(this.target, this.controlPath, this.opts, forwarding);
  }

  // `-f` returns once authenticated, with the master in the background; its stderr goes to a file
  // because a ProxyJump's inner ssh inherits it and would hold a pipe open for the master's life
  // (opened for appending: the two processes write at their own offsets otherwise).
  private async startMaster(): Promise<void> {
    const log = path.join(this.dir, 'connect.log');
    writeFileSync(log, '', { mode: 0o600 });
    const fd = openSync(log, 'a');
    const argv = [
      ...this.args(),
      '-o',
      'ControlMaster=yes',
      '-o',
      `ControlPersist=${this.opts.idleExitS ?? 120}s`,
      '-f',
      '-N',
      ...destination(this.target),
    ];
    const limitMs = ((this.opts.connectTimeoutS ?? 10) * 3 + 5) * 1000;
    const outcome = await new Promise<number | 'timeout' | 'not-found'>((resolve) => {
      const child = spawn(this.ssh, argv, { detached: true, stdio: ['ignore', 'ignore', fd] });
      const timer = setTimeout(() => {
        resolve('timeout');
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      }, limitMs);
      child.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(e.code === 'ENOENT' ? 'not-found' : 255);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code ?? 255);
      });
    });
    closeSync(fd);
    if (outcome === 0 && existsSync(this.controlPath)) {
      const check = await runLocal(this.ssh, [...this.args(), '-O', 'check', ...destination(this.target)], { timeoutMs: 5000 });
      this.masterPid = Number(/pid=(\d+)/.exec(check.stderr.toString())?.[1]) || undefined;
      return;
    }
    if (outcome === 'not-found')
      throw new SshConnectError(
        this.label,
        'no-ssh',
        'the OpenSSH client (ssh) is not on PATH — install it (apt-get install openssh-client)',
      );
    if (outcome === 'timeout')
      throw new SshConnectError(this.label, 'timeout', `connecting and authenticating took more than ${limitMs / 1000} s`);
    throw await this.classify(readFileSync(log, 'utf8'));
  }

  /**
   * A typed error from ssh's stderr, with `ssh -G`'s view of the route (user, host, port, bastion).
   * With ControlPersist, ssh sends a ProxyJump's stderr to /dev/null, so a bastion failure comes
   * without its reason: one more attempt without a master (running `true`) brings the reason back.
   */
  private async classify(stderr: string): Promise<SshConnectError> {
    const g = await runLocal(this.ssh, ['-G', ...this.args(), ...destination(this.target)], { timeoutMs: 5000 });
    const route = g.code === 0 ? parseRoute(g.stdout.toString()) : {};
    const first = classifySshFailure(this.label, stderr, route);
    if (first.kind !== 'bastion' || !/closed/.test(first.detail)) return first;
    const again = await runLocal(
      this.ssh,
      [...this.args(), '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-T', ...destination(this.target), 'true'],
      {
        timeoutMs: ((this.opts.connectTimeoutS ?? 10) * 3 + 5) * 1000,
      },
    );
    return again.code === 0 ? first : classifySshFailure(this.label, again.stderr.toString(), route);
  }

  /** The master stops after `idleExitS` idle seconds; a later command reconnects (once, shared). */
  private async ensureMaster(): Promise<void> {
    if (this.closed) throw new SshConnectError(this.label, 'lost', 'the connection was already closed');
    if (existsSync(this.controlPath)) return;
    this.reopening ??= this.startMaster().finally(() => (this.reopening = undefined));
    await this.reopening;
  }

  /** Runs argv on the target in one session; see readRemoteRun for what throws and what returns. */
  run(argv: readonly string[], opts: RunOptions): Promise<RemoteRun> {
    return this.sessions.use(async () => {
      await this.ensureMaster();
      const line = remoteCommandLine(argv, { timeoutS: opts.timeoutMs / 1000, become: opts.become });
      // Should the master refuse the session, ssh would quietly open a connection of its own:
      // a ProxyCommand that fails makes that fallback fail instead (one connection per host).
      const local = await runLocal(
        this.ssh,
        [...this.args(), '-o', 'ControlMaster=no', '-o', 'ProxyCommand=false', '-T', '-e', 'none', ...destination(this.target), line],
        {
          input: opts.input,
          signal: opts.signal,
          // The target's own `timeout` ends the command first; this catches a host that stopped answering.
          timeoutMs: opts.timeoutMs + 5000,
        },
      );
      return readRemoteRun(this.label, local, opts.become, (stderr) => classifySshFailure(this.label, stderr));
    });
  }

  /** Asks the master to exit and removes the private folder (with its socket and forwards). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    forget(this);
    if (existsSync(this.controlPath))
      await runLocal(this.ssh, [...this.args(), '-O', 'exit', ...destination(this.target)], { timeoutMs: 5000 });
    // `-O exit` returns before the master has gone: wait for it (and end it if it lingers).
    for (let waited = 0; this.masterPid && alive(this.masterPid) && waited < 3000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    this.endMaster();
    await rm(this.dir, { recursive: true, force: true });
  }

  private endMaster(): void {
    if (this.masterPid && alive(this.masterPid)) process.kill(this.masterPid, 'SIGTERM');
    this.masterPid = undefined;
  }

  /** The same, synchronously, for process exit and signals. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    if (existsSync(this.controlPath))
      spawnSync(this.ssh, [...this.args(), '-O', 'exit', ...destination(this.target)], { stdio: 'ignore', timeout: 5000 });
    this.endMaster();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// A zombie that nobody reaps (a container's init may not) has ended too.
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

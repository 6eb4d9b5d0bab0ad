import { BecomeError, RemoteProtocolError, SshConnectError } from './errors.js';
import type { LocalRun } from './local-process.js';
import { shJoin, shQuote } from './shell-quote.js';

/** How a command runs on the target: as the login user, or as root through `sudo -n` (never a prompt). */
export type Become = 'sudo' | undefined;

/** What a command did on the target. Like the local runner's result, so probes read both alike. */
export interface RemoteRun {
  exitCode: number | undefined;
  stdout: Buffer;
  stderr: string;
  problem?: 'timeout' | 'aborted' | 'not-found' | 'output-limit';
  detail?: string;
}

const STARTED = 'flipgate:started\n';
const READY = 'flipgate:ready\n';
const TIMED_OUT = 'flipgate:timeout\n';
const NOT_FOUND = 'flipgate:not-found\n';
const OUT = Buffer.from('\0flipgate:out\0');

/**
 * Runs on the target (after sudo, when asked): says it is ready, refuses a command that is not there,
 * and bounds the command with `timeout -k` (coreutils, busybox, BSD) so that the remote process dies
 * too. Where `timeout` is missing (macOS), a watchdog signals the whole process group, which sshd
 * made for this session alone. The command's stdin passes through, which is how a script reaches `sh -s`.
 */
const INNER = `printf 'flipgate:ready\\n' >&2; printf '\\000flipgate:out\\000'
t=$1; shift
command -v "$1" >/dev/null 2>&1 || { printf 'flipgate:not-found\\n' >&2; exit 127; }
if [ -z "\${FLIPGATE_NO_TIMEOUT:-}" ] && command -v timeout >/dev/null 2>&1; then
  timeout -k 2 "$t" "$@"; s=$?
  [ "$s" -eq 124 ] && printf '\\nflipgate:timeout\\n' >&2
  exit "$s"
fi
exec 3<&0
"$@" <&3 3<&- & p=$!
( trap '' TERM; sleep "$t" </dev/null >/dev/null 2>&1; printf '\\nflipgate:timeout\\n' >&2; exec 2>/dev/null
  kill -TERM 0; sleep 2 </dev/null >/dev/null 2>&1; kill -KILL 0 ) </dev/null >/dev/null 3<&- & w=$!
wait "$p"; s=$?; kill -KILL "$w" 2>/dev/null; exit "$s"`;

/**
 * The command line the target's login shell runs. Every argv element is quoted as one word; the
 * markers on stderr tell "ssh failed" from "sudo refused" from "the command failed".
 */
export function remoteCommandLine(argv: readonly string[], opts: { timeoutS: number; become?: Become }): string {
  const inner = `sh -c ${shQuote(INNER)} flipgate ${Math.max(1, Math.ceil(opts.timeoutS))} ${shJoin(argv)}`;
  return `printf 'flipgate:started\\n' >&2; exec ${opts.become === 'sudo' ? 'sudo -n -- ' : ''}${inner}`;
}

/** ssh's words for a connection that went away while a command ran. */
const lostConnection = /^(Connection to \S+ closed|client_loop: |mux_client_|Control socket connect|Broken pipe|Timeout, server)/m;

/**
 * Reads what a mux client brought back. Throws a typed error when the command never ran (ssh failed,
 * sudo refused, the login shell is not POSIX); returns a result for anything the command itself did.
 * `classify` turns ssh's stderr into the connection's typed error.
 */
export function readRemoteRun(target: string, run: LocalRun, become: Become, classify: (stderr: string) => SshConnectError): RemoteRun {
  if (run.problem === 'not-found')
    throw new SshConnectError(target, 'no-ssh', 'the OpenSSH client (ssh) is not on PATH — install it (apt-get install openssh-client)');
  if (run.problem === 'spawn-failed') throw new SshConnectError(target, 'failed', 'could not start the ssh client');
  const cut = run.problem === 'timeout' || run.problem === 'aborted' || run.problem === 'output-limit';
  if (cut)
    return {
      exitCode: undefined,
      stdout: Buffer.alloc(0),
      stderr: '',
      problem: run.problem,
      detail:
        run.problem === 'output-limit' ? 'its output passed the limit' : run.problem === 'timeout' ? 'did not finish in time' : 'cancelled',
    };
  // A login script may print before flipgate's command starts: that is dropped, on both streams.
  const all = run.stderr.toString('utf8');
  const at = all.startsWith(STARTED) ? 0 : all.indexOf(`\n${STARTED}`) + 1;
  if (at === 0 && !all.startsWith(STARTED)) {
    if (run.code === 255 || !all) throw classify(all);
    throw new RemoteProtocolError(target, `the login shell did not run flipgate's command (exit ${run.code}: ${firstLine(all)})`);
  }
  let stderr = all.slice(at + STARTED.length);
  const out = run.stdout.indexOf(OUT);
  const stdout = out >= 0 ? run.stdout.subarray(out + OUT.length) : run.stdout;
  if (!stderr.startsWith(READY)) {
    if (become === 'sudo') throw new BecomeError(target, firstLine(stderr));
    if (run.code === 255) throw classify(stderr);
    throw new RemoteProtocolError(target, `sh did not start (exit ${run.code}: ${firstLine(stderr)})`);
  }
  stderr = stderr.slice(READY.length);
  if (run.code === 255 && lostConnection.test(stderr)) throw classify(stderr);
  if (stderr.startsWith(NOT_FOUND)) return { exitCode: 127, stdout, stderr: '', problem: 'not-found', detail: 'not found on the target' };
  const timedOut = stderr.lastIndexOf(`\n${TIMED_OUT}`);
  if (timedOut >= 0) {
    return {
      exitCode: undefined,
      stdout,
      stderr: stderr.slice(0, timedOut),
      problem: 'timeout',
      detail: 'did not finish in time (stopped on the target)',
    };
  }
  return { exitCode: run.code ?? undefined, stdout, stderr };
}

const firstLine = (s: string): string =>
  s
    .replace(/\r/g, '')
    .split('\n')
    .find((l) => l.trim())
    ?.trim()
    .slice(0, 200) ?? '';

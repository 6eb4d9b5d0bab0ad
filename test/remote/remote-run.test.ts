import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifySshFailure } from '../../src/remote/classify.js';
import { BecomeError, RemoteProtocolError, SshConnectError } from '../../src/remote/errors.js';
import { runLocal } from '../../src/remote/local-process.js';
import { readRemoteRun, remoteCommandLine } from '../../src/remote/remote-run.js';
import { isRunning } from './processes.js';

// The remote command line runs here under sh, as a target's login shell would run it.
async function here(argv: string[], opts: { timeoutS: number; input?: string; env?: string }) {
  const line = remoteCommandLine(argv, { timeoutS: opts.timeoutS });
  const local = await runLocal('sh', ['-c', `${opts.env ?? ''} ${line}`.trim()], { input: opts.input, timeoutMs: 20_000 });
  return readRemoteRun('ssh://here', local, undefined, (s) => classifySshFailure('ssh://here', s));
}

describe('the command line a target runs', () => {
  it('passes stdin through to the command, so a script reaches sh -s', async () => {
    const r = await here(['sh', '-s', '--', 'x y'], { timeoutS: 5, input: 'echo "got $1"\n' });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout.toString()).toBe('got x y\n');
  });

  it("keeps the command's own stderr and exit code, markers removed", async () => {
    const r = await here(['sh', '-c', 'echo oops >&2; exit 255'], { timeoutS: 5 });
    expect(r).toMatchObject({ exitCode: 255, stderr: 'oops\n' });
  });

  it.each([
    ['with coreutils timeout', ''],
    ['with the watchdog, where timeout is missing', 'export FLIPGATE_NO_TIMEOUT=1;'],
  ])('stops a command and what it started at the deadline %s, and says so', async (_how, env) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-test-'));
    const t0 = Date.now();
    const r = await here(['sh', '-s', '--', `${dir}/pid`], {
      timeoutS: 1,
      env,
      input: 'sh -c \'echo $$ > "$1"; exec sleep 20\' x "$1"; echo after\n',
    });
    expect(r.problem).toBe('timeout');
    expect(r.stdout.toString()).toBe('');
    expect(Date.now() - t0).toBeLessThan(4000);
    const pid = Number(await readFile(`${dir}/pid`, 'utf8'));
    await rm(dir, { recursive: true });
    await new Promise((res) => setTimeout(res, 200));
    expect(isRunning(pid)).toBe(false);
  });

  it('lets the watchdog go quietly when the command ends first', async () => {
    const t0 = Date.now();
    const r = await here(['sh', '-s'], { timeoutS: 10, env: 'export FLIPGATE_NO_TIMEOUT=1;', input: 'cat; exit 4\n' });
    expect(r).toMatchObject({ exitCode: 4 });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('reading what came back', () => {
  const run = (stderr: string, code: number | null) => ({ code, stdout: Buffer.alloc(0), stderr: Buffer.from(stderr) });
  const classify = (s: string) => classifySshFailure('t', s);

  it("turns ssh's own failure into the connection's typed error", () => {
    expect(() => readRemoteRun('t', run('Control socket connect(/x): No such file or directory\r\n', 255), undefined, classify)).toThrow(
      SshConnectError,
    );
  });

  it("turns a refused sudo into a BecomeError with sudo's words", () => {
    const err = (() => {
      try {
        readRemoteRun('t', run('flipgate:started\nsudo: a terminal is required to read the password\n', 1), 'sudo', classify);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BecomeError);
    expect((err as BecomeError).detail).toBe('sudo: a terminal is required to read the password');
  });

  it('refuses a login shell that is not POSIX rather than guessing', () => {
    expect(() => readRemoteRun('t', run("fish: Unsupported use of '>&'\n", 127), undefined, classify)).toThrow(RemoteProtocolError);
  });

  it('tells a connection lost mid-command from a command that exited 255', () => {
    expect(() =>
      readRemoteRun(
        't',
        run('flipgate:started\nflipgate:ready\nConnection to 10.0.0.5 closed by remote host.\r\n', 255),
        undefined,
        classify,
      ),
    ).toThrow(/closed/);
    expect(readRemoteRun('t', run('flipgate:started\nflipgate:ready\n', 255), undefined, classify).exitCode).toBe(255);
  });
});

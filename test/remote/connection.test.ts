import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/remote/connection.js';
import { BecomeError, SshConnectError } from '../../src/remote/errors.js';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';
import { hostile } from './hostile.js';
import { isRunning, processesMentioning } from './processes.js';

const skip = sshdUnavailable();

describe.skipIf(!!skip)(`an SSH connection to a real sshd on 127.0.0.1${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  let conn: SshConnection;
  const open = (host: string, extra = {}) =>
    SshConnection.open({ kind: 'ssh', host }, { configFile: sshd.configFile, connectTimeoutS: 3, ...extra });

  beforeAll(async () => {
    sshd = await startSshd({ plainUser: true });
    conn = await open('target');
  });
  afterAll(async () => {
    await conn?.close();
    await sshd?.stop();
  });

  it('runs argv on the target, every hostile value one literal argument', async () => {
    const marker = path.join(sshd.dir, 'pwned');
    const words = [...hostile, `$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`];
    const r = await conn.run(['printf', '%s\\0', ...words], { timeoutMs: 5000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().split('\0').slice(0, -1)).toEqual(words);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs a POSIX sh script with arguments in one session, its stdin the script', async () => {
    const r = await conn.run(['sh', '-s', '--', "it's", '$(id)'], { timeoutMs: 5000, input: 'printf "[%s]" "$@"; echo; exit 3\n' });
    expect(r.exitCode).toBe(3);
    expect(r.stdout.toString()).toBe("[it's][$(id)]\n");
  });

  it('stops a command at its timeout on the target too, not only the local client', async () => {
    const pidFile = path.join(sshd.dir, 'sleeper.pid');
    const t0 = Date.now();
    const r = await conn.run(['sh', '-c', 'echo $$ > "$1"; exec sleep 30', 'sleeper', pidFile], { timeoutMs: 1000 });
    expect(r.problem).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(5000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    expect(isRunning(pid)).toBe(false);
  });

  it('drops what a login script prints before the command, on stdout and stderr', async () => {
    const rc = path.join(sshd.home, '.bashrc');
    await writeFile(rc, 'echo "motd noise"; echo "warning noise" >&2\n');
    try {
      const r = await conn.run(['sh', '-c', 'echo out; echo err >&2'], { timeoutMs: 5000 });
      expect(r).toMatchObject({ exitCode: 0, stderr: 'err\n' });
      expect(r.stdout.toString()).toBe('out\n');
    } finally {
      await rm(rc);
    }
  });

  it('says a command is not on the target rather than running something else', async () => {
    const r = await conn.run(['flipgate-no-such-tool', '--version'], { timeoutMs: 5000 });
    expect(r).toMatchObject({ problem: 'not-found', exitCode: 127 });
  });

  it('goes through a ProxyJump bastion from the ssh_config', async () => {
    const c = await open('via-bastion');
    try {
      expect((await c.run(['echo', 'through'], { timeoutMs: 5000 })).stdout.toString()).toBe('through\n');
      expect(processesMentioning(`-W [127.0.0.1]:${sshd.port}`)).toHaveLength(1);
    } finally {
      await c.close();
    }
    expect(processesMentioning(`-W [127.0.0.1]:${sshd.port}`)).toEqual([]);
  });

  it('runs the batch as root through sudo -n, and turns a refused sudo into a clear error', async () => {
    expect((await conn.run(['id', '-u'], { timeoutMs: 5000, become: 'sudo' })).stdout.toString()).toBe('0\n');
    const plain = await open('plain');
    try {
      expect((await plain.run(['id', '-un'], { timeoutMs: 5000 })).stdout.toString()).toBe(`${sshd.plainUser}\n`);
      const err = await plain.run(['id', '-u'], { timeoutMs: 5000, become: 'sudo' }).catch((e) => e);
      expect(err).toBeInstanceOf(BecomeError);
      expect(err.message).toBe(
        'ssh://plain: sudo -n refused to run the checks as root (sudo: a password is required) — allow this user passwordless sudo for the survey, or remove become: sudo',
      );
    } finally {
      await plain.close();
    }
  });

  it.each([
    ['unknown-key', 'host-key-unknown', 'the host key of flipgate-unknown is not in known_hosts and strict checking is on'],
    [
      'changed-key',
      'host-key-changed',
      'the host key of flipgate-changed has CHANGED since known_hosts recorded it: this may be a man-in-the-middle attack',
    ],
    ['wrong-identity', 'auth', 'authentication refused for root@127.0.0.1'],
    ['dead', 'refused', 'connection refused by 127.0.0.1 port'],
    ['silent', 'timeout', 'connecting to 127.0.0.1 port'],
    ['bastion-dead', 'bastion', 'cannot reach the bastion (dead): connection refused by 127.0.0.1 port'],
    ['bastion-to-dead', 'bastion', 'the bastion (target) could not reach the target: connect failed: Connection refused'],
  ])('refuses %s with a typed %s error, accepting nothing and leaving nothing behind', async (alias, kind, words) => {
    const knownBefore = await readFile(sshd.knownHosts, 'utf8');
    // A private TMPDIR: other tests (and other flipgate runs) make their own folders in /tmp meanwhile.
    const tmp = await mkdtemp(path.join(tmpdir(), 'flipgate-conn-test-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const err = await open(alias)
      .catch((e) => e)
      .finally(() => {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      });
    expect(err).toBeInstanceOf(SshConnectError);
    expect(err.kind).toBe(kind);
    expect(err.message).toContain(`ssh://${alias}: ${words}`);
    expect(await readFile(sshd.knownHosts, 'utf8')).toBe(knownBefore);
    expect(readdirSync(tmp)).toEqual([]);
    await rm(tmp, { recursive: true });
  });

  it('closes the master and removes its private folder', async () => {
    const c = await open('target');
    const dir = path.dirname(c.controlPath);
    expect(processesMentioning(c.controlPath)).toHaveLength(1);
    await c.close();
    expect(existsSync(dir)).toBe(false);
    expect(processesMentioning(c.controlPath)).toEqual([]);
  });

  it('reconnects when the master left after its idle time', async () => {
    const c = await open('target', { idleExitS: 1 });
    try {
      await new Promise((res) => setTimeout(res, 2500));
      expect(existsSync(c.controlPath)).toBe(false);
      expect((await c.run(['echo', 'again'], { timeoutMs: 5000 })).stdout.toString()).toBe('again\n');
    } finally {
      await c.close();
    }
  });
});

describe.skipIf(!!skip)(`sessions per connection${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd({ maxSessions: 2 });
  });
  afterAll(async () => sshd?.stop());

  const burst = async (maxSessions: number) => {
    const c = await SshConnection.open({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile, maxSessions });
    try {
      return await Promise.allSettled(Array.from({ length: 6 }, () => c.run(['sleep', '0.3'], { timeoutMs: 5000 })));
    } finally {
      await c.close();
    }
  };

  it("keeps to the server's MaxSessions, where more at once would be refused", async () => {
    expect((await burst(2)).every((r) => r.status === 'fulfilled' && r.value.exitCode === 0)).toBe(true);
    const over = await burst(6);
    const refused = over.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ kind: 'session-refused' });
  });
});

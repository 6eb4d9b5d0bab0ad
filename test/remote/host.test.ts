import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBackupKey } from '../../src/demo/seed-host.js';
import { ConfigError } from '../../src/errors.js';
import { parseEnvKeys } from '../../src/probes/support/key-names.js';

const readKeyNames = async (file: string) => parseEnvKeys(await readFile(file, 'utf8')).map((k) => k.name);

import { EscapesRootError, SshConnectError } from '../../src/remote/errors.js';
import { RemoteHost } from '../../src/remote/host.js';
import { snapshotTree } from '../support/host-snapshot.js';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';
import { recordTraffic } from './traffic.js';

const skip = sshdUnavailable();
const SECRET = 'planted-secret-9f3c1e';
const FPR = 'E868F23FDBCB5600EDC84F92D57AD4D1B5C582CD';
const odd = "we'ird $(touch x) `id`;\nname";

/** A folder standing in for the target's `/`. */
function buildRoot(root: string, plainUser: string | undefined): void {
  mkdirSync(path.join(root, 'opt/app/conf.d'), { recursive: true });
  const env = [
    `DB_URL=postgres://u:${SECRET}@db/x`,
    'export EMPTY=""',
    "QUOTED='   '",
    'COMMENT_ONLY= # none',
    'BARE=',
    `yaml_key: ${SECRET}`,
    `MULTI="${SECRET}`,
    `INSIDE=${SECRET}`,
    '"',
    '# COMMENTED=1',
    '[section]',
    `LAST=${SECRET}\r`,
  ];
  writeFileSync(path.join(root, 'opt/app/.env'), `${env.join('\n')}\n`, { mode: 0o640 });
  writeFileSync(path.join(root, 'opt/app/conf.d/b.env'), `B=1\n`);
  writeFileSync(path.join(root, 'opt/app/conf.d/a.env'), `A=${SECRET}\n`);
  writeFileSync(path.join(root, 'opt/app', odd), 'x');
  writeFileSync(path.join(root, 'opt/app/version.py'), `# header ${SECRET}\nNAME = "cutter"\nVERSION = "2.14"\n`);
  symlinkSync('/etc/hostname', path.join(root, 'opt/app/escape'));
  symlinkSync('version.py', path.join(root, 'opt/app/current'));
  mkdirSync(path.join(root, 'locked'), { mode: 0o700 });
  writeFileSync(path.join(root, 'locked/inside'), 'x');
  execFileSync('mkfifo', [path.join(root, 'opt/app/fifo')]);
  if (plainUser) chownSync(path.join(root, 'opt/app/conf.d/b.env'), Number(execFileSync('id', ['-u', plainUser]).toString()), 0);
  chmodSync(path.join(root, 'locked'), 0o700);
}

describe.skipIf(!!skip)(`operations on a host over SSH${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  let root: string;
  let host: RemoteHost;
  beforeAll(async () => {
    sshd = await startSshd({ plainUser: true });
    root = await mkdtemp(path.join(tmpdir(), 'flipgate-target-'));
    chmodSync(root, 0o755);
    buildRoot(root, sshd.plainUser);
    host = new RemoteHost({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile, root, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await host?.close();
    await sshd?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('stats a file: type, mode, owner and group by id and by name', async () => {
    expect(await host.stat('/opt/app/.env')).toMatchObject({
      resolved: `${root}/opt/app/.env`,
      type: 'file',
      mode: '0640',
      uid: 0,
      gid: 0,
      owner: 'root',
      group: 'root',
    });
    expect(await host.stat('/opt/app/conf.d/b.env')).toMatchObject({ owner: sshd.plainUser, group: 'root' });
    expect(await host.stat('/opt/app')).toMatchObject({ type: 'directory' });
    expect(await host.stat('/opt/app/current')).toMatchObject({ resolved: `${root}/opt/app/version.py`, type: 'file' });
    expect(await host.stat(`/opt/app/${odd}`)).toMatchObject({ type: 'file' });
    expect(await host.findLines(`/opt/app/${odd}`, "'$(touch y)`id`")).toEqual([]);
    expect(existsSync(path.join(sshd.home, 'x')) || existsSync(path.join(sshd.home, 'y'))).toBe(false);
  });

  it("fails as node's fs would: ENOENT for an absent file, ENOTDIR through a file", async () => {
    await expect(host.stat('/opt/app/absent')).rejects.toMatchObject({ code: 'ENOENT', message: '/opt/app/absent: does not exist' });
    await expect(host.stat('/opt/app/.env/x')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(host.list('/opt/app/.env')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('refuses a symbolic link that leads out of --root, naming where it goes', async () => {
    const err = await host.stat('/opt/app/escape').catch((e) => e);
    expect(err).toBeInstanceOf(EscapesRootError);
    expect(err.message).toBe(`ssh://target: /opt/app/escape escapes --root ${root} (it resolves to /etc/hostname)`);
    expect(await host.resolve('/opt/app/missing/deeper')).toEqual({ resolved: `${root}/opt/app/missing/deeper`, exists: false });
  });

  it("lists a directory with odd names intact, typed like node's Dirent", async () => {
    const names = await host.list('/opt/app');
    expect(names).toEqual(
      [
        { name: '.env', type: 'file' },
        { name: 'conf.d', type: 'directory' },
        { name: 'current', type: 'symlink' },
        { name: 'escape', type: 'symlink' },
        { name: 'fifo', type: 'other' },
        { name: 'version.py', type: 'file' },
        { name: odd, type: 'file' },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  });

  it('reads the same key names as the local reader, with empty flags, and never a value', async () => {
    const seen = await recordTraffic(host);
    const [file] = await host.dotenvKeys('/opt/app/.env');
    expect(file!.keys.map((k) => k.name)).toEqual(await readKeyNames(path.join(root, 'opt/app/.env')));
    expect(Object.fromEntries(file!.keys.map((k) => [k.name, k.empty]))).toEqual({
      DB_URL: false,
      EMPTY: true,
      QUOTED: false,
      COMMENT_ONLY: true,
      BARE: true,
      yaml_key: false,
      MULTI: false,
      LAST: false,
    });
    expect(await host.dotenvKeys('/opt/app/conf.d')).toEqual([
      { name: 'a.env', keys: [{ name: 'A', empty: false }] },
      { name: 'b.env', keys: [{ name: 'B', empty: false }] },
    ]);
    expect(await host.findLines('/opt/app/version.py', '^VERSION\\s*=\\s*"2\\.\\d+"')).toEqual([3]);
    expect(seen.join('')).not.toContain(SECRET);
    expect(seen.join('').length).toBeGreaterThan(0);
  });

  it('finds matching line numbers with grep -E, [] for none, and refuses what grep -E cannot run', async () => {
    expect(await host.findLines('/opt/app/version.py', 'NAME|VERSION')).toEqual([2]);
    expect(await host.findLines('/opt/app/version.py', '^[A-Z]', { max: 10 })).toEqual([2, 3]);
    expect(await host.findLines('/opt/app/version.py', '^nothing$')).toEqual([]);
    await expect(host.findLines('/opt/app/version.py', '(?<=NAME)x')).rejects.toBeInstanceOf(ConfigError);
    await expect(host.findLines('/opt/app/absent', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(host.findLines('/opt/app', 'x')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('refuses to read a FIFO (which would block) for a search or key names, as a local read does', async () => {
    await expect(host.findLines('/opt/app/fifo', 'x', { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'ENOTREG' });
    await expect(host.dotenvKeys('/opt/app/fifo')).rejects.toMatchObject({ code: 'ENOTREG' });
  });

  it('finds a tool on PATH with the first line of its version, from stdout or stderr', async () => {
    expect(await host.tool('ls')).toMatchObject({
      path: expect.stringMatching(/\/ls$/),
      exitCode: 0,
      firstLine: expect.stringMatching(/^ls \(GNU coreutils\)/),
    });
    expect(await host.tool('ssh', ['-V'])).toMatchObject({ firstLine: expect.stringMatching(/^OpenSSH_/) });
    expect(await host.tool('flipgate-no-such-tool')).toBeNull();
    await expect(host.tool('sleep', ['30'])).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('tells whether users and groups exist, by name or id', async () => {
    expect(
      await Promise.all([
        host.account('user', 'root'),
        host.account('group', 'root'),
        host.account('user', '0'),
        host.account('user', 'flipgate-nobody'),
      ]),
    ).toEqual([0, 0, 0, null]);
  });

  it('sends the operations asked for together in one session, and a slow program (a tool, gpg) in one of its own beside it', async () => {
    const seen = await recordTraffic(host);
    await Promise.all([
      host.stat('/opt/app/.env'),
      host.list('/opt/app'),
      host.dotenvKeys('/opt/app/.env'),
      host.account('user', 'root'),
      host.findLines('/opt/app/version.py', 'NAME'),
    ]);
    expect(seen.sessions).toBe(1);
    await Promise.all([host.stat('/opt/app/.env'), host.list('/opt/app'), host.tool('ls'), host.tool('sh'), host.gpgKeys('/nowhere')]);
    expect(seen.sessions).toBe(1 + 4);
  });

  it('keeps a permission problem an error, never an absence (as a user without rights)', async () => {
    const plain = new RemoteHost({ kind: 'ssh', host: 'plain' }, { configFile: sshd.configFile, root });
    try {
      await expect(plain.stat('/locked/inside')).rejects.toMatchObject({ code: 'EACCES' });
      await expect(plain.list('/locked')).rejects.toMatchObject({ code: 'EACCES' });
      await expect(plain.dotenvKeys('/opt/app/.env')).rejects.toMatchObject({ code: 'EACCES' });
    } finally {
      await plain.close();
    }
  });

  it('rejects every operation with the same connection error when the host is unreachable', async () => {
    const dead = new RemoteHost({ kind: 'ssh', host: 'dead' }, { configFile: sshd.configFile, root });
    const all = await Promise.allSettled([dead.stat('/opt/app/.env'), dead.tool('ls'), dead.exec(['true'], { timeoutMs: 2000 })]);
    await dead.close();
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const reasons = all.map((r) => (r as PromiseRejectedResult).reason);
    expect(reasons[0]).toBeInstanceOf(SshConnectError);
    expect(new Set(reasons).size).toBe(1);
  });

  it.skipIf(spawnFails('gpg'))(
    "lists a keyring's fingerprints and leaves the home and the target's temp folder byte-for-byte unchanged",
    async () => {
      const home = path.join(root, 'keys');
      mkdirSync(home, { mode: 0o700 });
      const asc = path.join(root, 'key.asc');
      writeFileSync(asc, await demoBackupKey());
      execFileSync('gpg', ['--homedir', home, '--batch', '--no-autostart', '--import', asc], { stdio: 'ignore' });
      const before = await snapshotTree(home);
      const tmpBefore = (await readdir(tmpdir())).filter((n) => n.startsWith('flipgate-gpg.'));
      const ring = await host.gpgKeys('/keys');
      expect(ring).toMatchObject({ home: `${root}/keys`, present: true, primary: [FPR] });
      expect(ring.all).toContain(FPR);
      expect(await snapshotTree(home)).toEqual(before);
      expect((await readdir(tmpdir())).filter((n) => n.startsWith('flipgate-gpg.'))).toEqual(tmpBefore);
      expect(await host.gpgKeys('/opt/app')).toMatchObject({ present: false, primary: [] });
    },
  );

  it('runs as root through sudo -n once for the whole batch', async () => {
    const sudo = new RemoteHost({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile, root, become: 'sudo' });
    try {
      expect((await sudo.exec(['id', '-u'], { timeoutMs: 5000 })).stdout.toString()).toBe('0\n');
      expect(await sudo.stat('/opt/app/.env')).toMatchObject({ owner: 'root' });
    } finally {
      await sudo.close();
    }
  });
});

function spawnFails(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

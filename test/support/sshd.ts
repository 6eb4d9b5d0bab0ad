import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, keygen, silentServer, writeClientConfig } from './sshd-files.js';

const SSHD = '/usr/sbin/sshd';

/** Why a real sshd cannot be started here, or undefined when it can (root, openssh-server, ssh client). */
export function sshdUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run sshd (CI runs as root)';
  if (!existsSync(SSHD)) return `${SSHD} is missing: apt-get install openssh-server (.ci/run does)`;
  if (spawnSync('ssh', ['-V']).error) return 'the OpenSSH client (ssh) is not on PATH';
  return undefined;
}

/** A throw-away OpenSSH server on 127.0.0.1 and a client configuration of its own. */
export interface TestSshd {
  port: number;
  dir: string;
  /** The client's ssh_config: pass it as `-F` (the operator's own ~/.ssh/config is never read). */
  configFile: string;
  knownHosts: string;
  /** The HOME every session gets (so the machine's own dotfiles neither slow nor change the tests). */
  home: string;
  /** A non-root login with no sudo rights, when asked for with `plainUser`. */
  plainUser?: string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `sshd -D` on a free loopback port with a fresh ed25519 host key. The client config names
 * these aliases: target (root), via-bastion (ProxyJump through target), bastion-dead (ProxyJump to
 * a closed port), bastion-to-dead (a working bastion that cannot reach its target), unknown-key, changed-key, wrong-identity, dead (closed port), silent (a server
 * that never says hello), and plain (the plain user).
 */
export async function startSshd(opts: { plainUser?: boolean; maxSessions?: number } = {}): Promise<TestSshd> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flipgate-sshd-'));
  const home = path.join(dir, 'home');
  mkdirSync(home);
  // A plain user reads authorized_keys as itself: the folder must be searchable by everyone.
  await chmod(dir, 0o755);
  const f = (name: string) => path.join(dir, name);
  const [hostKey, otherHostKey, clientKey] = await Promise.all([keygen(f('host_key')), keygen(f('other_host_key')), keygen(f('id'))]);
  await keygen(f('stranger'));
  await writeFile(f('authorized_keys'), clientKey, { mode: 0o644 });
  let plainUser: string | undefined;
  if (opts.plainUser) {
    plainUser = `fgplain${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
    const r = spawnSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', plainUser], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`useradd ${plainUser} failed: ${r.stderr}`);
  }
  const silent = await silentServer();
  let child: ChildProcess | undefined;
  let port = 0;
  const stop = async () => {
    silent.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (plainUser) spawnSync('userdel', [plainUser]);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    for (let attempt = 0; attempt < 3 && !child; attempt++) {
      port = await freePort();
      await writeFile(f('sshd_config'), serverConfig({ port, dir, home, maxSessions: opts.maxSessions ?? 10 }));
      const c = spawn(SSHD, ['-D', '-f', f('sshd_config'), '-E', f('sshd.log')], { stdio: 'ignore' });
      if (await listening(port, c)) child = c;
    }
    if (!child) throw new Error(`sshd did not start: ${await readFile(f('sshd.log'), 'utf8').catch(() => '(no log)')}`);
    const deadPort = await freePort();
    const knownHosts = f('known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostKey}flipgate-changed ${otherHostKey}`);
    const configFile = f('ssh_config');
    await writeClientConfig(configFile, { dir, port, deadPort, silentPort: silent.port, knownHosts, plainUser });
    return { port, dir, configFile, knownHosts, home, plainUser, log: () => readFile(f('sshd.log'), 'utf8'), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function serverConfig(o: { port: number; dir: string; home: string; maxSessions: number }): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${o.port}`,
    `HostKey ${o.dir}/host_key`,
    `PidFile ${o.dir}/sshd.pid`,
    `AuthorizedKeysFile ${o.dir}/authorized_keys`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    `MaxSessions ${o.maxSessions}`,
    'MaxStartups 200',
    `SetEnv HOME=${o.home}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/** Resolves true once the port answers with an SSH banner, false if sshd exits first. */
async function listening(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const banner = await new Promise<string>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('data', (b) => {
        s.destroy();
        resolve(String(b));
      });
      s.once('error', () => resolve(''));
      s.setTimeout(1000, () => {
        s.destroy();
        resolve('');
      });
    });
    if (banner.startsWith('SSH-')) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

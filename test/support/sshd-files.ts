import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A fresh ed25519 key pair without a passphrase; resolves with "ssh-ed25519 AAAA…\n" (the public key). */
export async function keygen(file: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'flipgate-test', '-f', file]);
  const pub = await readFile(`${file}.pub`, 'utf8');
  return `${pub.split(' ').slice(0, 2).join(' ')}\n`;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A TCP server that accepts and never speaks: an SSH client waits for a banner until it times out. */
export async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** The client side: one alias per situation a test needs, all pointing at 127.0.0.1. */
export async function writeClientConfig(
  file: string,
  o: { dir: string; port: number; deadPort: number; silentPort: number; knownHosts: string; plainUser?: string },
): Promise<void> {
  const at = (port: number) => [`  HostName 127.0.0.1`, `  Port ${port}`];
  const lines = [
    '# Written by the test suite: a throw-away server on 127.0.0.1.',
    'Host target',
    ...at(o.port),
    'Host via-bastion',
    ...at(o.port),
    '  ProxyJump target',
    'Host bastion-dead',
    ...at(o.port),
    '  ProxyJump dead',
    'Host bastion-to-dead',
    ...at(o.deadPort),
    '  ProxyJump target',
    'Host unknown-key',
    ...at(o.port),
    '  HostKeyAlias flipgate-unknown',
    'Host changed-key',
    ...at(o.port),
    '  HostKeyAlias flipgate-changed',
    'Host wrong-identity',
    ...at(o.port),
    `  IdentityFile ${o.dir}/stranger`,
    'Host dead',
    ...at(o.deadPort),
    'Host silent',
    ...at(o.silentPort),
    ...(o.plainUser ? ['Host plain', ...at(o.port), `  User ${o.plainUser}`] : []),
    'Host * !wrong-identity',
    `  IdentityFile ${o.dir}/id`,
    'Host *',
    '  User root',
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${o.knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '',
  ];
  await writeFile(file, lines.join('\n'));
}

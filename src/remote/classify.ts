import { SshConnectError, type SshFailureKind } from './errors.js';

/** What `ssh -G` says about how a target is reached, for messages and for telling a bastion's fault. */
export interface Route {
  user?: string;
  hostname?: string;
  port?: string;
  /** ProxyJump or ProxyCommand, when the connection goes through another host. */
  proxy?: string;
}

/** ssh's stderr without the banner noise: the lines that say what went wrong. */
function keyLines(stderr: string): string[] {
  return stderr
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^@+$/.test(l) && !l.startsWith('Warning: Permanently added'));
}

const patterns: { kind: SshFailureKind; re: RegExp }[] = [
  { kind: 'host-key-changed', re: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/ },
  { kind: 'host-key-unknown', re: /No \S+ host key is known for|Host key verification failed/ },
  { kind: 'session-refused', re: /Session open refused|administratively prohibited/ },
  { kind: 'bastion', re: /stdio forwarding failed|channel \d+: open failed/ },
  { kind: 'dns', re: /Could not resolve hostname/ },
  { kind: 'refused', re: /Connection refused/ },
  { kind: 'timeout', re: /timed out|Operation timed out/ },
  { kind: 'unreachable', re: /No route to host|Network is unreachable/ },
  { kind: 'auth', re: /Permission denied \(|Too many authentication failures/ },
  { kind: 'lost', re: /Connection (?:reset|closed) by|kex_exchange_identification|Broken pipe|mux_client_|Control socket connect/ },
];

/** "HOST port PORT", from ssh's own line when it names them, else from the route. */
function where(hit: string, r: Route): string {
  const m = /connect to host (\S+) port (\d+)/.exec(hit);
  return m ? `${m[1]} port ${m[2]}` : `${r.hostname ?? 'the host'} port ${r.port ?? 22}`;
}

const words: Record<SshFailureKind, (hit: string, route: Route) => string> = {
  'host-key-changed': (hit) =>
    `the host key of ${/Host key for (\S+) has changed/.exec(hit)?.[1] ?? 'the host'} has CHANGED since known_hosts recorded it: this may be a man-in-the-middle attack, so nothing was checked — if the host was really re-keyed, verify the new fingerprint out of band, then replace the old key (ssh-keygen -R HOST)`,
  'host-key-unknown': (hit) =>
    `the host key of ${/known for (\S+?)(?: and|$)/.exec(hit)?.[1] ?? 'the host'} is not in known_hosts and strict checking is on, so nothing was checked — verify its fingerprint out of band and add it to ~/.ssh/known_hosts`,
  bastion: (hit, r) =>
    `the bastion (${r.proxy ?? 'ProxyJump'}) could not reach the target: ${hit.replace(/^channel \d+: open failed: /, '')}`,
  dns: (hit) =>
    `cannot resolve the host name ${/hostname ([^:]+):/.exec(hit)?.[1] ?? ''} — check the name, or the Host alias in ~/.ssh/config`,
  refused: (hit, r) => `connection refused by ${where(hit, r)} — is sshd running there, and is the port right?`,
  timeout: (hit, r) => `connecting to ${where(hit, r)} timed out — is the host up and its port open to you?`,
  unreachable: (hit) => `the network cannot reach the host (${hit})`,
  auth: (_h, r) =>
    `authentication refused for ${r.user ?? 'the user'}@${r.hostname ?? 'the host'} — load the key in ssh-agent, or set User and IdentityFile for this host in ~/.ssh/config`,
  'session-refused': () => 'the server refused one more session on the connection (its MaxSessions) — lower the sessions per host',
  lost: (hit) => `the SSH connection was closed (${hit})`,
  'no-ssh': () => 'the OpenSSH client (ssh) is not on PATH — install it (apt-get install openssh-client)',
  failed: (hit) => `ssh failed${hit ? `: ${hit}` : ''}`,
};

/**
 * Turns a failed ssh's stderr into a typed error. Behind a ProxyJump the client itself connects only
 * to the bastion, so a refused, timed-out or unresolvable connection is the bastion's.
 */
export function classifySshFailure(target: string, stderr: string, route: Route = {}): SshConnectError {
  const lines = keyLines(stderr);
  for (const { kind, re } of patterns) {
    const hit = lines.find((l) => re.test(l));
    if (!hit) continue;
    const viaBastion = route.proxy && ['dns', 'refused', 'timeout', 'unreachable', 'lost'].includes(kind);
    if (viaBastion)
      return new SshConnectError(target, 'bastion', `cannot reach the bastion (${route.proxy}): ${words[kind](hit, {})}`, hit);
    const detail =
      kind === 'host-key-changed' || kind === 'host-key-unknown' ? lines.filter((l) => /host key|Host key/.test(l)).join(' ') : hit;
    return new SshConnectError(target, kind, words[kind](lines.find((l) => re.test(l) && /for \S+/.test(l)) ?? hit, route), detail);
  }
  const last = lines.at(-1)?.slice(0, 300) ?? '';
  return new SshConnectError(target, 'failed', words.failed(last, route), last);
}

/** Reads the few fields of `ssh -G HOST` that messages and the bastion rule need. */
export function parseRoute(sshG: string): Route {
  const route: Route = {};
  for (const line of sshG.split('\n')) {
    const [key, ...rest] = line.trim().split(' ');
    const value = rest.join(' ');
    if (key === 'user') route.user = value;
    else if (key === 'hostname') route.hostname = value;
    else if (key === 'port') route.port = value;
    else if ((key === 'proxyjump' || key === 'proxycommand') && value && value !== 'none') route.proxy = value;
  }
  return route;
}

import { ConfigError, type Place } from '../errors.js';

/** A host reached over SSH. `host` may be a name, an address or a `Host` alias of the operator's ssh_config. */
export interface SshTarget {
  kind: 'ssh';
  host: string;
  user?: string;
  port?: number;
}

/** Where probes run: this machine, or a host over SSH. */
export type Target = { kind: 'local' } | SshTarget;

const hostName = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/;
const ipv6 = /^\[([0-9A-Fa-f:.]+)\]$/;
const userName = /^[A-Za-z0-9_][A-Za-z0-9._-]*\$?$/;
const fix = 'write ssh://HOST, ssh://USER@HOST:PORT (HOST may be an alias from ~/.ssh/config) or local';

/**
 * Reads `--target` or FLIPGATE_TARGET. Names that could pass for ssh options (a leading "-") or
 * carry shell or URL syntax are refused here, so nothing but a host name ever reaches `ssh`.
 *
 * @example parseTarget('ssh://deploy@app.example.com:2222') // { kind: 'ssh', host: 'app.example.com', user: 'deploy', port: 2222 }
 */
export function parseTarget(text: string, place: Place = { field: '--target' }): Target {
  const raw = text.trim();
  if (raw === '' || raw === 'local') return { kind: 'local' };
  const bad = (why: string) => new ConfigError(`target "${raw}" ${why}`, { place, fix });
  if (!raw.startsWith('ssh://')) throw bad('is neither local nor an ssh:// address');
  const rest = raw.slice('ssh://'.length);
  if (/[/?#]/.test(rest)) throw bad('has a path, query or fragment; only [user@]host[:port] may follow ssh://');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  const hostPort = at >= 0 ? rest.slice(at + 1) : rest;
  if (user !== undefined && !userName.test(user)) throw bad(`has an invalid user name "${user}"`);
  const m = /^(\[[^\]]*\]|[^:]*)(?::([^:]*))?$/.exec(hostPort);
  if (!m) throw bad('has more than one ":"; write an IPv6 address in brackets, as ssh://[::1]:22');
  const hostPart = m[1]!;
  const host = ipv6.exec(hostPart)?.[1] ?? hostPart;
  if (!ipv6.test(hostPart) && !hostName.test(host)) throw bad(host ? `has an invalid host "${host}"` : 'names no host');
  let port: number | undefined;
  if (m[2] !== undefined) {
    port = /^\d{1,5}$/.test(m[2]) ? Number(m[2]) : NaN;
    if (!(port >= 1 && port <= 65535)) throw bad(`has an invalid port "${m[2]}" (1–65535)`);
  }
  return { kind: 'ssh', host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

/** The target a command probes: the flag when given, else FLIPGATE_TARGET, else this machine. */
export function resolveTarget(flag: string | undefined, env: NodeJS.ProcessEnv): Target {
  if (flag !== undefined) return parseTarget(flag, { field: '--target' });
  if (env.FLIPGATE_TARGET !== undefined) return parseTarget(env.FLIPGATE_TARGET, { field: 'FLIPGATE_TARGET' });
  return { kind: 'local' };
}

/** The canonical spelling, as shown in messages and recorded in the ledger. */
export function describeTarget(t: Target): string {
  if (t.kind === 'local') return 'local';
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `ssh://${t.user ? `${t.user}@` : ''}${host}${t.port ? `:${t.port}` : ''}`;
}

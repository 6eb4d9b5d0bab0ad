import type { ClientConfig } from 'pg';
import type { PostgresEndpoint, PostgresForward } from './forward.js';
import type { RemoteHost } from './host.js';

/** Where a connection's server is, as the target sees it: a host and port, or a socket folder. */
function endpointOf(cfg: ClientConfig): PostgresEndpoint {
  let host = cfg.host;
  let port = cfg.port !== undefined ? Number(cfg.port) : undefined;
  if (cfg.connectionString) {
    const u = new URL(cfg.connectionString);
    host = u.searchParams.get('host') ?? (decodeURIComponent(u.hostname.replace(/^\[|\]$/g, '')) || undefined);
    port = u.port ? Number(u.port) : Number(u.searchParams.get('port')) || undefined;
  }
  host ||= 'localhost';
  port ||= 5432;
  return host.startsWith('/') ? { socket: `${host.replace(/\/$/, '')}/.s.PGSQL.${port}` } : { host, port };
}

/**
 * Sends a check's Postgres connection to the target's own server: `localhost` (or PGHOST, or a
 * URL's host) means the target's, reached through a socket forwarded over the target's SSH
 * connection (one per server, opened on first use). The rest of the connection — user,
 * password, database, sslmode, and the READ ONLY transaction with its timeouts — is unchanged.
 */
export function postgresRoute(remote: RemoteHost): { route(cfg: ClientConfig): Promise<ClientConfig>; close(): Promise<void> } {
  const forwards = new Map<string, Promise<PostgresForward>>();
  // The forward itself needs no root; but a host whose `become: sudo` is refused is one the
  // operator's setup does not hold for, and all its checks are ERROR alike (asked once).
  let becomes: Promise<unknown> | undefined;
  return {
    async route(cfg) {
      if (remote.opts.become) {
        becomes ??= remote.exec(['true'], { timeoutMs: 10_000 });
        await becomes;
      }
      const endpoint = endpointOf(cfg);
      const key = JSON.stringify(endpoint);
      let fwd = forwards.get(key);
      if (!fwd) {
        fwd = remote.forwardPostgres(endpoint);
        forwards.set(key, fwd);
      }
      const { host, port } = await fwd;
      if (!cfg.connectionString) return { ...cfg, host, port };
      // A URL's own fields win over the config's in pg: the socket goes into the URL (?host=).
      const u = new URL(cfg.connectionString);
      u.hostname = 'localhost';
      u.port = String(port);
      u.searchParams.set('host', host);
      u.searchParams.delete('port');
      return { ...cfg, connectionString: u.toString() };
    },
    async close() {
      const all = [...forwards.values()];
      forwards.clear();
      await Promise.allSettled(all.map(async (f) => (await f).close()));
    },
  };
}

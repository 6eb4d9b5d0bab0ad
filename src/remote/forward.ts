import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SshConnection } from './connection.js';
import { runLocal } from './local-process.js';
import { destination } from './ssh-args.js';

/** Where the target's database is, seen from the target: host and port, or its Unix socket. */
export type PostgresEndpoint = { host: string; port: number } | { socket: string };

/** A local endpoint for `pg`: `host` is a folder, as libpq and node-postgres read a Unix socket. */
export interface PostgresForward {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Forwards the target's Postgres to a Unix socket in the connection's private 0700 folder, over
 * the running master (`ssh -O forward`): no local TCP port that other users of this machine could
 * reach, no second connection. It ends with the master, or earlier with close().
 *
 * @example
 * const fwd = await forwardPostgres(conn, { host: '127.0.0.1', port: 5432 });
 * const client = new pg.Client({ host: fwd.host, port: fwd.port, user, database });
 */
export async function forwardPostgres(conn: SshConnection, remote: PostgresEndpoint): Promise<PostgresForward> {
  const port = 'socket' in remote ? Number(/\.s\.PGSQL\.(\d+)$/.exec(remote.socket)?.[1] ?? 5432) : remote.port;
  const to = 'socket' in remote ? remote.socket : `${remote.host.includes(':') ? `[${remote.host}]` : remote.host}:${remote.port}`;
  if ('socket' in remote ? !remote.socket.startsWith('/') : !/^[A-Za-z0-9._:-]+$/.test(remote.host)) {
    throw new Error(`cannot forward to ${to}: give a host name or address and a port, or an absolute socket path`);
  }
  const dir = await mkdtemp(path.join(conn.dir, 'pg-'));
  const spec = `${path.join(dir, `.s.PGSQL.${port}`)}:${to}`;
  const ask = (verb: 'forward' | 'cancel') =>
    runLocal(conn.opts.ssh ?? 'ssh', [...conn.args(true), '-O', verb, '-L', spec, ...destination(conn.target)], { timeoutMs: 10_000 });
  const r = await ask('forward');
  if (r.code !== 0) throw new Error(`${conn.label}: ssh refused to forward ${to}: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
  return {
    host: dir,
    port,
    async close() {
      await ask('cancel');
      // The master stops listening but leaves the socket file behind.
      await rm(dir, { recursive: true, force: true });
    },
  };
}

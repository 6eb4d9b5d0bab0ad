import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';

/** The embedded Postgres is an optional peer of flipgate: only the demo and the test suite need it. */
export const embeddedPostgresPackages = ['@electric-sql/pglite@0.5.14', '@electric-sql/pglite-socket@0.2.17'];

const notInstalled = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND';

async function loadPglite() {
  try {
    return { ...(await import('@electric-sql/pglite')), ...(await import('@electric-sql/pglite-socket')) };
  } catch (e) {
    if (!notInstalled(e)) throw e;
    throw new ConfigError(
      'the embedded Postgres (PGlite) is not installed: flipgate leaves it out of a normal install, since only the demo needs it',
      {
        fix: `install it beside flipgate: npm install ${embeddedPostgresPackages.join(' ')}`,
      },
    );
  }
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  /** PG* variables that point the `pg` client (and so every probe) at it. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts PGlite in memory behind its socket server on a free loopback port, so the same `pg`
 * client code reaches it as a real server. It is one single-user session: use one connection.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgres> {
  const { PGlite, PGLiteSocketServer } = await loadPglite();
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  const conn = server.getServerConn();
  const port = address?.port ?? Number(conn.split(':').pop());
  const host = '127.0.0.1';
  return {
    host,
    port,
    env: {
      PGHOST: host,
      PGPORT: String(port),
      PGUSER: 'postgres',
      PGDATABASE: 'postgres',
      PGSSLMODE: 'disable',
      FLIPGATE_PG_MAX_CONNECTIONS: '1',
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

import { describe, expect, it } from 'vitest';
import type { PostgresEndpoint } from '../../src/remote/forward.js';
import type { RemoteHost } from '../../src/remote/host.js';
import { postgresRoute } from '../../src/remote/pg-route.js';

/** A RemoteHost that records what it was asked to forward and answers with a socket folder. */
function fakeRemote(opts: { become?: 'sudo'; execFails?: Error } = {}) {
  const asked: PostgresEndpoint[] = [];
  const execs: string[][] = [];
  const remote = {
    opts,
    async forwardPostgres(e: PostgresEndpoint) {
      asked.push(e);
      return { host: `/tmp/fwd-${asked.length}`, port: 'socket' in e ? 5432 : e.port, close: async () => undefined };
    },
    async exec(argv: string[]) {
      execs.push(argv);
      if (opts.execFails) throw opts.execFails;
      return { exitCode: 0, stdout: Buffer.alloc(0), stderr: '' };
    },
  } as unknown as RemoteHost;
  return { remote, asked, execs };
}

describe('Postgres connections routed to a target', () => {
  it('forwards the host and port the target sees, once per server, and keeps user, password and database', async () => {
    const { remote, asked } = fakeRemote();
    const { route } = postgresRoute(remote);
    const a = await route({ host: '127.0.0.1', port: 5433, user: 'u', password: 'p', database: 'd' });
    const b = await route({ host: '127.0.0.1', port: 5433, user: 'v', database: 'e' });
    expect(asked).toEqual([{ host: '127.0.0.1', port: 5433 }]);
    expect(a).toEqual({ host: '/tmp/fwd-1', port: 5433, user: 'u', password: 'p', database: 'd' });
    expect(b).toMatchObject({ host: '/tmp/fwd-1', user: 'v', database: 'e' });
  });

  it('takes localhost:5432 when nothing is named, and a socket folder as a socket on the target', async () => {
    const { remote, asked } = fakeRemote();
    const { route } = postgresRoute(remote);
    await route({});
    await route({ host: '/var/run/postgresql', port: 5433 });
    expect(asked).toEqual([{ host: 'localhost', port: 5432 }, { socket: '/var/run/postgresql/.s.PGSQL.5433' }]);
  });

  it('rewrites a URL to the forwarded socket and keeps its credentials, database and options', async () => {
    const { remote, asked } = fakeRemote();
    const { route } = postgresRoute(remote);
    const r = await route({ connectionString: 'postgres://app:s%40cret@db.internal:6432/orders?sslmode=disable&application_name=x' });
    expect(asked).toEqual([{ host: 'db.internal', port: 6432 }]);
    const u = new URL(r.connectionString!);
    expect([u.username, u.password, u.pathname, u.port]).toEqual(['app', 's%40cret', '/orders', '6432']);
    expect(Object.fromEntries(u.searchParams)).toEqual({ sslmode: 'disable', application_name: 'x', host: '/tmp/fwd-1' });
  });

  it('asks sudo -n once before the first forward with become, and fails every route when it is refused', async () => {
    const refused = new Error('ssh://h: sudo -n refused');
    const { remote, asked, execs } = fakeRemote({ become: 'sudo', execFails: refused });
    const { route } = postgresRoute(remote);
    await expect(route({})).rejects.toBe(refused);
    await expect(route({ host: 'x', port: 1 })).rejects.toBe(refused);
    expect(execs).toEqual([['true']]);
    expect(asked).toEqual([]);
  });
});

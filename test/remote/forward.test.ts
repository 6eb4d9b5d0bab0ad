import { existsSync } from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshConnection } from '../../src/remote/connection.js';
import { forwardPostgres } from '../../src/remote/forward.js';
import { sshdUnavailable, startSshd, type TestSshd } from '../support/sshd.js';

const pgAnswers = await new Promise<boolean>((resolve) => {
  const s = net.connect(5432, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    resolve(true);
  });
  s.once('error', () => resolve(false));
});
const skip = sshdUnavailable() ?? (pgAnswers ? undefined : 'no Postgres server on 127.0.0.1:5432');
const socket = '/var/run/postgresql/.s.PGSQL.5432';

async function query(host: string, port: number): Promise<string> {
  const client = new pg.Client({ host, port, user: process.env.PGUSER ?? 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query('SELECT current_setting($1) AS v', ['transaction_read_only'])).rows[0].v;
  } finally {
    await client.end();
  }
}

describe.skipIf(!!skip)(`Postgres through the SSH connection${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let sshd: TestSshd;
  let conn: SshConnection;
  beforeAll(async () => {
    sshd = await startSshd();
    conn = await SshConnection.open({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile });
  });
  afterAll(async () => {
    await conn?.close();
    await sshd?.stop();
  });

  it("reaches the target's database host:port as a local socket in the private folder, until cancelled", async () => {
    const fwd = await forwardPostgres(conn, { host: '127.0.0.1', port: 5432 });
    expect(fwd.host.startsWith(conn.dir)).toBe(true);
    expect(await query(fwd.host, fwd.port)).toBe('off');
    const again = await forwardPostgres(conn, { host: '127.0.0.1', port: 5432 });
    await again.close();
    expect(existsSync(again.host)).toBe(false);
    expect(await query(fwd.host, fwd.port)).toBe('off');
    await fwd.close();
    await expect(query(fwd.host, fwd.port)).rejects.toThrow();
  });

  it.skipIf(!existsSync(socket))("reaches the target's Unix socket too", async () => {
    const fwd = await forwardPostgres(conn, { socket });
    expect(fwd.port).toBe(5432);
    expect(await query(fwd.host, fwd.port)).toBe('off');
  });

  it('goes away with the master', async () => {
    const c = await SshConnection.open({ kind: 'ssh', host: 'target' }, { configFile: sshd.configFile });
    const fwd = await forwardPostgres(c, { host: '127.0.0.1', port: 5432 });
    await c.close();
    expect(existsSync(fwd.host)).toBe(false);
  });
});

import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { type Dashboard, startDashboard } from '../../serve/server.js';
import { type GlobalOptions, intOption } from '../resolve.js';
import { cliSession } from '../session.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** serve: the read-only dashboard until interrupted (Ctrl-C); its one action is "survey now". */
export async function serveCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<GlobalOptions & { port?: string; host?: string }>();
  const port = intOption(opts.port, '--port', 0) ?? 4680;
  if (port > 65535)
    throw new ConfigError(`expected a port from 0 to 65535, found ${port}`, {
      place: { field: '--port' },
      fix: 'pass --port 0 for a free one',
    });
  const host = opts.host ?? '127.0.0.1';
  const session = await cliSession(opts);
  const say = (line: string) => process.stderr.write(`flipgate serve: ${line}\n`);
  try {
    const dashboard: Dashboard = await startDashboard({ session, host, port, log: say }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
        throw new ConfigError(`cannot listen on ${host}:${port} (${e.code})`, {
          place: { field: e.code === 'EADDRNOTAVAIL' ? '--host' : '--port' },
          fix: 'pass another --port (0 picks a free one) or --host',
        });
      }
      throw e;
    });
    if (opts.json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, workflow: session.wf.spec.id, url: dashboard.url })}\n`);
    else process.stdout.write(`flipgate dashboard for ${session.wf.spec.id} at ${dashboard.url} (Ctrl-C to stop)\n`);
    if (!LOOPBACK.has(host)) say(`bound to ${host}: anyone who can reach this address can read the board and start a survey`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
    return 0;
  } finally {
    await session.close();
  }
}

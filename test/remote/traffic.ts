import { type RunOptions, SshConnection } from '../../src/remote/connection.js';
import type { RemoteHost } from '../../src/remote/host.js';

/** Every byte that comes back from the host's sessions from now on (stdout and stderr), and how many sessions ran. */
export async function recordTraffic(host: RemoteHost): Promise<string[] & { sessions: number }> {
  const conn = await host.connect();
  const seen = Object.assign([] as string[], { sessions: 0 });
  conn.run = async (argv: readonly string[], opts: RunOptions) => {
    seen.sessions++;
    const r = await SshConnection.prototype.run.call(conn, argv, opts);
    seen.push(r.stdout.toString('latin1'), r.stderr);
    return r;
  };
  return seen;
}

// Run as a child process by signals.test.ts: opens a connection, prints its control socket, waits.
import { SshConnection } from '../../src/remote/connection.js';

const [configFile, host] = process.argv.slice(2) as [string, string];
const c = await SshConnection.open({ kind: 'ssh', host }, { configFile });
process.stdout.write(`${c.controlPath}\n`);
setInterval(() => undefined, 60_000);

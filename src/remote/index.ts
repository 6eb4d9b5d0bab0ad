/**
 * Remote hosts over SSH: targets, one multiplexed OpenSSH connection per host, target-side
 * operations that keep secrets and file text on the target, Postgres forwarding, and Ansible
 * inventories for fleets. The probes reach a remote host through RemoteHost.
 */
export { parseTarget, resolveTarget, describeTarget, type Target, type SshTarget } from './target.js';
export { SshConnection, type RunOptions } from './connection.js';
export type { SshOptions } from './ssh-args.js';
export type { Become, RemoteRun } from './remote-run.js';
export { RemoteHost, type RemoteHostOptions } from './host.js';
export { openTarget, type OpenedTarget } from './open-target.js';
export { remoteProbeHost, remoteFailure } from './probe-host.js';
export { postgresRoute } from './pg-route.js';
export { forwardPostgres, type PostgresEndpoint, type PostgresForward } from './forward.js';
export { toPosixEre } from './ere.js';
export { shQuote, shJoin } from './shell-quote.js';
export { RemoteError, SshConnectError, BecomeError, EscapesRootError, RemoteProtocolError, isRemoteError, type SshFailureKind } from './errors.js';
export { RemoteOpError } from './ops/protocol.js';
export type { RemoteStat } from './ops/stat.js';
export type { Resolved } from './ops/resolve.js';
export type { RemoteDirEntry } from './ops/list.js';
export type { DotenvFile } from './ops/dotenv.js';
export type { RemoteTool } from './ops/tool.js';
export type { RemoteKeyring } from './ops/gpg.js';
export { loadInventory, loadFleet } from './inventory/load.js';
export { selectHosts } from './inventory/pattern.js';
export { fleetHost, type FleetHost } from './inventory/hosts.js';
export type { Inventory, InventoryGroup } from './inventory/model.js';

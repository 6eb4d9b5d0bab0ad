/**
 * Remote hosts over SSH: targets, one multiplexed OpenSSH connection per host, target-side
 * operations that keep secrets and file text on the target, Postgres forwarding, and Ansible
 * inventories for fleets. The probes reach a remote host through RemoteHost.
 */

export { type RunOptions, SshConnection } from './connection.js';
export { toPosixEre } from './ere.js';
export {
  BecomeError,
  EscapesRootError,
  isRemoteError,
  RemoteError,
  RemoteProtocolError,
  SshConnectError,
  type SshFailureKind,
} from './errors.js';
export { forwardPostgres, type PostgresEndpoint, type PostgresForward } from './forward.js';
export { RemoteHost, type RemoteHostOptions } from './host.js';
export { type FleetHost, fleetHost } from './inventory/hosts.js';
export { loadFleet, loadInventory } from './inventory/load.js';
export type { Inventory, InventoryGroup } from './inventory/model.js';
export { selectHosts } from './inventory/pattern.js';
export { type OpenedTarget, openTarget } from './open-target.js';
export type { DotenvFile } from './ops/dotenv.js';
export type { RemoteKeyring } from './ops/gpg.js';
export type { RemoteDirEntry } from './ops/list.js';
export { RemoteOpError } from './ops/protocol.js';
export type { Resolved } from './ops/resolve.js';
export type { RemoteStat } from './ops/stat.js';
export type { RemoteTool } from './ops/tool.js';
export { postgresRoute } from './pg-route.js';
export { remoteFailure, remoteProbeHost } from './probe-host.js';
export type { Become, RemoteRun } from './remote-run.js';
export { shJoin, shQuote } from './shell-quote.js';
export type { SshOptions } from './ssh-args.js';
export { describeTarget, parseTarget, resolveTarget, type SshTarget, type Target } from './target.js';

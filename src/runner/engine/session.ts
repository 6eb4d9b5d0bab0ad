import type { KeyObject } from 'node:crypto';
import { userInfo } from 'node:os';
import { ConfigError } from '../../errors.js';
import { buildMachine, type WorkflowMachine } from '../../machine/build.js';
import type { CheckResult } from '../../probes/index.js';
import { createPostgresAccess, type PostgresAccess } from '../../probes/pg/access.js';
import type { Host } from '../../probes/support/host.js';
import { localHost } from '../../probes/support/local-host.js';
import type { OpenedTarget } from '../../remote/open-target.js';
import type { LoadedWorkflow } from '../../spec/load.js';
import { normalizePrincipal } from '../../spec/principal.js';
import type { WorkflowStore } from '../../store/types.js';
import type { Witness } from '../../store/witness.js';
import { publicKeyOf } from '../../support/digest.js';
import type { Fleet } from './fleet.js';
import type { PlannedCheck } from './run-checks.js';

export interface SessionOptions {
  workflow: LoadedWorkflow;
  store: WorkflowStore;
  /** Who runs the command (recorded in the ledger). */
  actor?: string;
  /** Host root for file-like checks (default `/`); ignored when `host` is given. */
  root?: string;
  /** The machine checked (default: this one, under `root`). */
  host?: Host;
  /** The machine checked, opened with openTarget (its Postgres route included); wins over `host` and is closed with the session. */
  target?: OpenedTarget;
  /** Inventory hosts probed instead of `host`, each with its own resolved workflow (see loadFleetWorkflow). */
  fleet?: Fleet;
  env?: NodeJS.ProcessEnv;
  /** Checks at once, on each host (default 8; 32 on a remote target or a fleet with SSH hosts, whose operations are batched). */
  concurrency?: number;
  timeoutMs?: number;
  /** Postgres connections per target; 1 for an embedded single-session server. */
  pgMaxConnections?: number;
  onProgress?: (planned: PlannedCheck, result: CheckResult, done: number, total: number) => void;
  now?: () => Date;
  /** The key the store signs with: the witness's heads are signed with it too. */
  signingKey?: KeyObject;
  /** The key events must be signed with (default: the signing key's public half). */
  verifyKey?: KeyObject;
  /** A second place that receives the ledger's head after every append (its opener closes it). */
  witness?: Witness;
  /** Told what a command did that the user should know (a view rebuilt, a ledger adopted). */
  onNote?: (note: string) => void;
}

/** Everything a command needs, opened once. Close it to release Postgres connections. */
export interface Session extends WorkflowMachine {
  wf: LoadedWorkflow;
  store: WorkflowStore;
  actor: string;
  host: Host;
  fleet: Fleet | undefined;
  env: NodeJS.ProcessEnv;
  concurrency: number;
  timeoutMs: number;
  postgres: PostgresAccess;
  onProgress: SessionOptions['onProgress'];
  now: () => Date;
  signingKey: KeyObject | undefined;
  verifyKey: KeyObject | undefined;
  witness: Witness | undefined;
  note(note: string): void;
  close(): Promise<void>;
}

/** $FLIPGATE_ACTOR, else the OS user, as a principal (exit 2 when it breaks the principal rule). */
export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLIPGATE_ACTOR !== undefined) return normalizePrincipal(env.FLIPGATE_ACTOR, { field: 'FLIPGATE_ACTOR' });
  try {
    return normalizePrincipal(userInfo().username, { field: 'the OS user name' });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.problem, { place: e.place, fix: 'pass --as NAME or set FLIPGATE_ACTOR' });
    return normalizePrincipal(env.USER ?? 'unknown', { field: 'USER' });
  }
}

/**
 * @throws ConfigError when `root` does not exist or is not a directory (before anything is probed or recorded).
 */
export function openSession(opts: SessionOptions): Session {
  const env = opts.env ?? process.env;
  const actor = opts.actor !== undefined ? normalizePrincipal(opts.actor, { field: '--as' }) : defaultActor(env);
  const host = opts.target?.host ?? opts.host ?? localHost(opts.root ?? '/');
  const built = buildMachine(opts.workflow.spec);
  const maxFromEnv = env.FLIPGATE_PG_MAX_CONNECTIONS ? Number(env.FLIPGATE_PG_MAX_CONNECTIONS) : undefined;
  const postgres = createPostgresAccess({
    env,
    maxConnections: opts.pgMaxConnections ?? maxFromEnv ?? 4,
    route: opts.target?.postgresRoute,
  });
  return {
    ...built,
    wf: opts.workflow,
    store: opts.store,
    actor,
    host,
    fleet: opts.fleet,
    env,
    // A check on a remote target mostly waits on the network, and the checks that start together
    // share one batch there: more of them at once means fewer round trips.
    concurrency: Math.max(
      1,
      opts.concurrency ??
        ((opts.target && opts.target.label !== 'local') || opts.fleet?.members.some((m) => m.inventory.target.kind === 'ssh') ? 32 : 8),
    ),
    timeoutMs: opts.timeoutMs ?? 10_000,
    postgres,
    onProgress: opts.onProgress,
    now: opts.now ?? (() => new Date()),
    signingKey: opts.signingKey,
    verifyKey: opts.verifyKey ?? (opts.signingKey ? publicKeyOf(opts.signingKey) : undefined),
    witness: opts.witness,
    note: opts.onNote ?? (() => undefined),
    close: async () => {
      await postgres.close();
      await opts.target?.close();
      await opts.fleet?.close();
      await postgres.close();
    },
  };
}

import { userInfo } from 'node:os';
import { buildMachine, type WorkflowMachine } from '../machine/build.js';
import { createPostgresAccess, type PostgresAccess } from '../probes/pg/access.js';
import type { Host } from '../probes/support/host.js';
import { localHost } from '../probes/support/local-host.js';
import type { LoadedWorkflow } from '../spec/load.js';
import type { WorkflowStore } from '../store/types.js';
import type { PlannedCheck } from './run-checks.js';
import type { CheckResult } from '../probes/index.js';

export interface SessionOptions {
  workflow: LoadedWorkflow;
  store: WorkflowStore;
  /** Who runs the command (recorded in the ledger). */
  actor?: string;
  /** Host root for file-like checks (default `/`); ignored when `host` is given. */
  root?: string;
  /** The machine checked (default: this one, under `root`). */
  host?: Host;
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  timeoutMs?: number;
  /** Postgres connections per target; 1 for an embedded single-session server. */
  pgMaxConnections?: number;
  onProgress?: (planned: PlannedCheck, result: CheckResult, done: number, total: number) => void;
  now?: () => Date;
}

/** Everything a command needs, opened once. Close it to release Postgres connections. */
export interface Session extends WorkflowMachine {
  wf: LoadedWorkflow;
  store: WorkflowStore;
  actor: string;
  host: Host;
  env: NodeJS.ProcessEnv;
  concurrency: number;
  timeoutMs: number;
  postgres: PostgresAccess;
  onProgress: SessionOptions['onProgress'];
  now: () => Date;
  close(): Promise<void>;
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLIPGATE_ACTOR) return env.FLIPGATE_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/**
 * @throws ConfigError when `root` does not exist or is not a directory (before anything is probed or recorded).
 */
export function openSession(opts: SessionOptions): Session {
  const env = opts.env ?? process.env;
  const host = opts.host ?? localHost(opts.root ?? '/');
  const built = buildMachine(opts.workflow.spec);
  const maxFromEnv = env.FLIPGATE_PG_MAX_CONNECTIONS ? Number(env.FLIPGATE_PG_MAX_CONNECTIONS) : undefined;
  const postgres = createPostgresAccess({ env, maxConnections: opts.pgMaxConnections ?? maxFromEnv ?? 4 });
  return {
    ...built,
    wf: opts.workflow,
    store: opts.store,
    actor: opts.actor ?? defaultActor(env),
    host,
    env,
    concurrency: Math.max(1, opts.concurrency ?? 8),
    timeoutMs: opts.timeoutMs ?? 10_000,
    postgres,
    onProgress: opts.onProgress,
    now: opts.now ?? (() => new Date()),
    close: () => postgres.close(),
  };
}

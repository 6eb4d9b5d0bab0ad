import type { KeyObject } from 'node:crypto';
import { userInfo } from 'node:os';
import { buildMachine, type WorkflowMachine } from '../machine/build.js';
import { createPostgresAccess, type PostgresAccess } from '../probes/pg/access.js';
import type { LoadedWorkflow } from '../spec/load.js';
import type { WorkflowStore } from '../store/types.js';
import type { Witness } from '../store/witness.js';
import { publicKeyOf } from '../support/digest.js';
import type { PlannedCheck } from './run-checks.js';
import type { CheckResult } from '../probes/index.js';

export interface SessionOptions {
  workflow: LoadedWorkflow;
  store: WorkflowStore;
  /** Who runs the command (recorded in the ledger). */
  actor?: string;
  /** Host root for file-like checks (default `/`). */
  root?: string;
  env?: NodeJS.ProcessEnv;
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
  root: string;
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

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLIPGATE_ACTOR) return env.FLIPGATE_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

export function openSession(opts: SessionOptions): Session {
  const env = opts.env ?? process.env;
  const built = buildMachine(opts.workflow.spec);
  const maxFromEnv = env.FLIPGATE_PG_MAX_CONNECTIONS ? Number(env.FLIPGATE_PG_MAX_CONNECTIONS) : undefined;
  const postgres = createPostgresAccess({ env, maxConnections: opts.pgMaxConnections ?? maxFromEnv ?? 4 });
  return {
    ...built,
    wf: opts.workflow,
    store: opts.store,
    actor: opts.actor ?? defaultActor(env),
    root: opts.root ?? '/',
    env,
    concurrency: Math.max(1, opts.concurrency ?? 8),
    timeoutMs: opts.timeoutMs ?? 10_000,
    postgres,
    onProgress: opts.onProgress,
    now: opts.now ?? (() => new Date()),
    signingKey: opts.signingKey,
    verifyKey: opts.verifyKey ?? (opts.signingKey ? publicKeyOf(opts.signingKey) : undefined),
    witness: opts.witness,
    note: opts.onNote ?? (() => undefined),
    close: () => postgres.close(),
  };
}

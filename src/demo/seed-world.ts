import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { runArgv } from '../probes/support/exec.js';
import { openSession, type Session } from '../runner/engine/session.js';
import { type LoadedWorkflow, loadWorkflow } from '../spec/load.js';
import { openStore } from '../store/open.js';
import type { WorkflowStore } from '../store/types.js';
import { approverKeys, signedCopy } from './approver-keys.js';
import { startEmbeddedPostgres } from './embedded-pg.js';
import { bundledWorkflow } from './locate.js';
import { buildSeedHost, type SeedHost } from './seed-host.js';

/** The O8 seed-state host, ready to survey: files under `root`, roles and schema in an embedded Postgres. */
export interface SeedWorld {
  root: string;
  env: NodeJS.ProcessEnv;
  host: SeedHost;
  wf: LoadedWorkflow;
  store: WorkflowStore;
  /** A session as `actor` on this host (closed with the world). */
  open(actor: string): Session;
  /** With `signed`: each approver's SSH key (absent when ssh-keygen is not on PATH). */
  keys?: Map<string, string>;
}

export interface SeedWorldOptions {
  /** The workflow to load (default: the bundled O8). */
  workflowFile?: string;
  /** Keep the temp folder and its ledger afterwards. */
  keep?: boolean;
  /** What needs the seed host, for the message when gpg is missing ("the demo", …). */
  purpose: string;
  /** Sign approvals: an SSH key per demo approver and a copy of the workflow with approvals: {signed: true}. */
  signed?: boolean;
  /** Told the temp folder before the embedded Postgres starts (it takes a second or two). */
  onRoot?: (root: string) => void;
}

async function requireGpg(purpose: string): Promise<void> {
  const r = await runArgv(['gpg', '--version'], { timeoutMs: 10_000 });
  if (r.problem === 'not-found') {
    throw new ConfigError(`${purpose} needs gpg (GnuPG) on PATH to build and probe the backup keyring`, {
      place: { field: 'gpg' },
      fix: 'install it: apt-get install gnupg (Debian/Ubuntu), dnf install gnupg2 (Fedora), brew install gnupg (macOS)',
    });
  }
}

/**
 * Builds the seed-state host in a temp folder with an embedded Postgres, runs `fn` on it, then stops the
 * server and removes the folder (unless `keep`).
 * @example
 * const report = await withSeedWorld({ purpose: 'the survey' }, async (w) => (await runSurvey(w.open('me'))).report);
 */
export async function withSeedWorld<T>(opts: SeedWorldOptions, fn: (world: SeedWorld) => Promise<T>): Promise<T> {
  await requireGpg(opts.purpose);
  const root = await mkdtemp(path.join(tmpdir(), 'flipgate-seed-'));
  opts.onRoot?.(root);
  const sessions: Session[] = [];
  let stopServer: (() => Promise<void>) | undefined;
  let store: WorkflowStore | undefined;
  try {
    const pgServer = await startEmbeddedPostgres();
    stopServer = () => pgServer.stop();
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ host: pgServer.host, port: pgServer.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    const host = await buildSeedHost({ root, sql: admin }).finally(() => admin.end());
    // The embedded server only: a DATABASE_URL or PG* setting of the caller's must not point the probes elsewhere.
    const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('PG')));
    const env: NodeJS.ProcessEnv = { ...own, ...pgServer.env, ...host.vars };
    const keys = opts.signed ? await approverKeys(root) : undefined;
    const file = opts.workflowFile ?? (await bundledWorkflow());
    const wf = await loadWorkflow(keys ? await signedCopy(file, root) : file, { env });
    const opened = await openStore(path.join(root, 'state', `${wf.spec.id}.json`), wf.spec.id, { env: {} });
    store = opened;
    const open = (actor: string) => {
      const s = openSession({ workflow: wf, store: opened, actor, root, env, pgMaxConnections: 1, timeoutMs: 15_000 });
      sessions.push(s);
      return s;
    };
    return await fn({ root, env, host, wf, store: opened, open, ...(keys ? { keys } : {}) });
  } finally {
    for (const s of sessions) await s.close();
    await store?.close();
    await stopServer?.();
    if (!opts.keep) await rm(root, { recursive: true, force: true });
  }
}

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSeedHost, type SeedHost } from '../../src/demo/seed-host.js';
import { openSession, type Session, type SessionOptions } from '../../src/runner/engine/session.js';
import { type LoadedWorkflow, loadWorkflow } from '../../src/spec/load.js';
import { FileStore } from '../../src/store/file-store.js';
import { createTestDatabase, type TestDatabase } from './pg.js';

export const O8 = path.resolve('machines/o8-production-readiness.yaml');

/** The seed survey's section 6 table, status for status, as flipgate writes it. */
export const seedSection6: Record<string, string> = {
  'GAP-1': 'CLOSED',
  'GAP-2': 'CLOSED',
  'GAP-3': 'OPEN',
  'GAP-4': 'PARTIAL',
  'GAP-5': 'OPEN',
  'GAP-6': 'OPEN',
  'GAP-7': 'OPEN',
  'GAP-8': 'OPEN/BLOCKED',
  'GAP-9': 'OPEN',
};

/**
 * The bundled O8 names no one who may waive; this edit lets `by` waive, and makes `waivable` GAPs
 * (which carry sign-offs) waivable on purpose.
 */
export const o8WithWaivers =
  (by: string[], waivable: string[] = []) =>
  (yaml: string) => {
    let out = yaml.replace(/^gates:$/m, `waivers: { by: [${by.join(', ')}] }\ngates:`);
    for (const gap of waivable) out = out.replace(new RegExp(`^  - id: ${gap}\n`, 'm'), `  - id: ${gap}\n    waivable: true\n`);
    return out;
  };

export interface SeedFixture {
  root: string;
  db: TestDatabase;
  host: SeedHost;
  env: NodeJS.ProcessEnv;
  wf: LoadedWorkflow;
  /** The workflow file the fixture loaded (O8, or its edited copy under root). */
  workflowFile: string;
  storePath: string;
  store: FileStore;
  /** A session as `actor` (closed by cleanup). */
  session(actor?: string, extra?: Partial<SessionOptions>): Session;
  cleanup(): Promise<void>;
}

/** The O8 seed-state host: files under a temp root, roles and schema in a database of the test's own. */
export async function setupSeedHost(opts: { secret?: string; edit?: (yaml: string) => string } = {}): Promise<SeedFixture> {
  const root = await mkdtemp(path.join(tmpdir(), 'flipgate-host-'));
  const db = await createTestDatabase();
  const host = await buildSeedHost({ root, sql: db.admin, rolePrefix: db.prefix, schema: db.schema, secret: opts.secret });
  const env: NodeJS.ProcessEnv = { ...process.env, ...db.env, ...host.vars };
  const workflowFile = opts.edit ? path.join(root, 'o8-production-readiness.yaml') : O8;
  if (opts.edit) await writeFile(workflowFile, opts.edit(await readFile(O8, 'utf8')));
  const wf = await loadWorkflow(workflowFile, { env });
  const storePath = path.join(root, 'state', `${wf.spec.id}.json`);
  const store = new FileStore(storePath, wf.spec.id);
  const sessions: Session[] = [];
  return {
    root,
    db,
    host,
    env,
    wf,
    workflowFile,
    storePath,
    store,
    session(actor = 'tester', extra = {}) {
      const s = openSession({ workflow: wf, store, actor, root, env, timeoutMs: 15_000, ...extra });
      sessions.push(s);
      return s;
    },
    async cleanup() {
      for (const s of sessions) await s.close();
      await db.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Provisions every host-side piece and records the sign-offs the O8 approval checks need. */
export async function provisionEverything(fx: SeedFixture, approvers: { gap7?: string[] } = {}): Promise<void> {
  const { approveGap } = await import('../../src/runner/actions/signoffs.js');
  for (const g of ['GAP-3', 'GAP-5', 'GAP-6', 'GAP-9'] as const) await fx.host.provision(g);
  await approveGap(fx.session('dq4-board'), 'GAP-4');
  await approveGap(fx.session('release-manager'), 'GAP-8');
  for (const p of approvers.gap7 ?? ['alice', 'bob']) await approveGap(fx.session(p), 'GAP-7');
}

/** Advances until the workflow stops moving; returns the last outcome. */
export async function advanceAll(session: Session) {
  const { advanceWorkflow } = await import('../../src/runner/actions/survey-advance.js');
  let r = await advanceWorkflow(session);
  while (r.outcome === 'advanced') r = await advanceWorkflow(session);
  return r;
}

/**
 * The O8 workflow with a section of checks built to provoke leaks: a failing cast echoes a value in
 * Postgres' message, commands print the planted secret, a search runs over the secrets file.
 */
export async function leakyO8(root: string): Promise<string> {
  return (await readFile(O8, 'utf8')).replace(
    'sections:\n',
    `sections:
  - id: leaks
    title: checks that would leak if output were copied
    checks:
      - id: cast
        kind: postgres.query
        sql: SELECT secret_note::int FROM \${GOV_SCHEMA}.review_decision
        expect: { rows: 3 }
      - id: cat-secret
        kind: command
        argv: [cat, ${path.join(root, 'opt/incomex/docker/.env')}]
        stdout: 'nothing-like-this'
      - id: fail-loudly
        kind: command
        argv: [sh, -c, 'cat ${path.join(root, 'opt/incomex/secrets/.env.production')} >&2; exit 3']
      - id: grep-secret-file
        kind: file.contains
        path: /opt/incomex/docker/.env
        pattern: 'no-such-line'
`,
  );
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { checkDiagrams, writeDiagrams, type DiagramFileState } from '../../diagram/catalog.js';
import { renderDiagram, type DiagramFormat } from '../../diagram/index.js';
import { startEmbeddedPostgres } from '../../demo/embedded-pg.js';
import { buildSeedHost } from '../../demo/seed-host.js';
import { runArgv } from '../../probes/support/exec.js';
import type { StatusReport } from '../../runner/report.js';
import { openSession } from '../../runner/session.js';
import { readStatus, runSurvey } from '../../runner/workflow.js';
import { loadWorkflow, type LoadedWorkflow } from '../../spec/load.js';
import { FileStore } from '../../store/file-store.js';
import { resolveWorkflowFile, type GlobalOptions } from '../resolve.js';
import { cliSession } from '../session.js';

type DiagramOptions = GlobalOptions & { format: DiagramFormat; status?: boolean; out?: string; check?: boolean; write?: boolean };

/** The workflow the seed survey describes; its status picture is drawn from a survey of the seed-state host. */
export const SEED_WORKFLOW = 'o8-production-readiness';

/**
 * Surveys the O8 seed-state host (a temp folder and an embedded Postgres, as `flipgate demo` builds it)
 * and returns the report, or nothing for any other workflow.
 */
export async function seedStatus(wf: LoadedWorkflow): Promise<StatusReport | undefined> {
  if (wf.spec.id !== SEED_WORKFLOW) return undefined;
  const gpg = await runArgv(['gpg', '--version'], { timeoutMs: 10_000 });
  if (gpg.problem === 'not-found') {
    throw new ConfigError(`diagrams/${SEED_WORKFLOW}.status.svg is drawn from a survey of the seed-state host, which needs gpg on PATH`, {
      place: { field: 'gpg' },
      fix: 'install GnuPG (apt-get install gnupg) and run the command again',
    });
  }
  const root = await mkdtemp(path.join(tmpdir(), 'flipgate-seed-'));
  const pgServer = await startEmbeddedPostgres();
  try {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ host: pgServer.host, port: pgServer.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    const host = await buildSeedHost({ root, sql: admin }).finally(() => admin.end());
    // The embedded server only: a DATABASE_URL or PG* setting of the caller's must not point the probes elsewhere.
    const own = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && !k.startsWith('PG')));
    const env = { ...own, ...pgServer.env, ...host.vars };
    const seeded = await loadWorkflow(wf.file, { env });
    const store = new FileStore(path.join(root, 'state', `${seeded.spec.id}.json`), seeded.spec.id);
    const session = openSession({ workflow: seeded, store, actor: 'seed-survey', root, env, pgMaxConnections: 1, timeoutMs: 15_000 });
    try {
      return (await runSurvey(session)).report;
    } finally {
      await session.close();
      await store.close();
    }
  } finally {
    await pgServer.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const problem: Record<DiagramFileState['state'], string> = {
  current: 'is current',
  stale: 'is out of date',
  missing: 'is missing',
  orphan: 'was generated, but no workflow under machines/ draws it any more',
};

/** --check / --write: keep diagrams/ in step with the workflows under machines/. */
async function catalogCommand(opts: DiagramOptions): Promise<number> {
  if (opts.check && opts.write) throw new ConfigError('--check and --write exclude each other', { place: { field: '--check' }, fix: 'pass one of them' });
  if (opts.status || opts.out) {
    throw new ConfigError('--check and --write work on every diagram under diagrams/', { place: { field: opts.status ? '--status' : '--out' }, fix: 'drop --status and --out, or drop --check/--write to draw one diagram' });
  }
  const states = opts.write ? await writeDiagrams({ statusOf: seedStatus }) : await checkDiagrams({ statusOf: seedStatus });
  if (!states.length) throw new ConfigError('no workflow found under ./machines/', { place: { field: 'machines/' }, fix: 'run flipgate diagram from the project folder' });
  const bad = states.filter((s) => s.state !== 'current');
  if (opts.write) {
    for (const s of bad) process.stdout.write(`${s.state === 'orphan' ? 'removed' : 'wrote'} ${s.path}\n`);
    process.stdout.write(`${states.length - bad.filter((s) => s.state === 'orphan').length} diagrams under diagrams/, ${bad.length} changed\n`);
    return 0;
  }
  for (const s of bad) process.stderr.write(`flipgate: ${s.path} ${problem[s.state]} — run flipgate diagram --write\n`);
  if (!bad.length) process.stdout.write(`${states.length} diagrams under diagrams/ are current\n`);
  return bad.length ? 1 : 0;
}

const shown = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file).split(path.sep).join('/');
};

/** diagram: the gate graph drawn from the statechart, optionally coloured with the store's statuses. */
export async function diagramCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<DiagramOptions>();
  if (opts.check || opts.write) return catalogCommand(opts);
  const format = opts.format ?? 'mermaid';
  let text: string;
  if (opts.status) {
    const s = await cliSession(opts, { probes: false });
    try {
      text = await renderDiagram(s.wf.spec, { format, source: shown(s.wf.file), status: await readStatus(s) });
    } finally {
      await s.close();
    }
  } else {
    const wf = await loadWorkflow(await resolveWorkflowFile(opts));
    text = await renderDiagram(wf.spec, { format, source: shown(wf.file) });
  }
  if (opts.out) {
    await writeFile(opts.out, text);
    process.stdout.write(`wrote ${opts.out} (${format}${opts.status ? ', with status' : ''})\n`);
  } else process.stdout.write(text);
  return 0;
}

import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StatusReport } from '../runner/report.js';
import type { LoadedWorkflow } from '../spec/load.js';

/*
 * The CLI's cache, one JSON document beside a file store (`state/<workflow-id>.cache.json`): the
 * workflow as last loaded, so a command need not parse and validate the YAML again, and the last
 * status report, so `status` need not replay the ledger. Neither is ever the truth: an entry holds
 * what it was built from (the build, the workflow file's text, the values its `${VARS}` resolved
 * from the environment — which the ledger's anchor event records too — and the ledger's size and
 * last line) and is used only while all of that still matches. Deleting the file loses nothing.
 * Comparing text rather than hashes keeps node:crypto (~9 ms to load) off `status`.
 */

declare const FLIPGATE_BUILD: string;
/** Only a bundled build caches: a source checkout run through tsx may change under it. */
const build = typeof FLIPGATE_BUILD === 'string' ? FLIPGATE_BUILD : undefined;

interface WorkflowEntry {
  /** The workflow file's text. */
  source: string;
  /** Each variable the workflow reads, with its value in the environment (null: unset, the default applied). */
  env: Record<string, string | null>;
  loaded: Omit<LoadedWorkflow, 'file'>;
}

interface StatusEntry {
  specHash: string;
  ledgerFile: string;
  ledgerBytes: number;
  head: { seq: number; hash: string };
  report: StatusReport;
}

interface CacheDoc {
  note: string;
  build: string;
  workflow?: WorkflowEntry;
  status?: StatusEntry;
}

const note = 'flipgate cache: generated, safe to delete; the workflow file and the ledger are the truth';
const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

/** Where the cache of a file store lives; none for a Postgres store. */
export function cacheFileFor(location: string): string | undefined {
  if (isPostgresUrl(location)) return undefined;
  return location.replace(/(\.events\.jsonl|\.json)$/, '') + '.cache.json';
}

const envOf = (names: string[], env: NodeJS.ProcessEnv): Record<string, string | null> => Object.fromEntries(names.map((n) => [n, env[n] ?? null]));
const sameEnv = (entry: WorkflowEntry, env: NodeJS.ProcessEnv): boolean => Object.entries(entry.env).every(([n, v]) => (env[n] ?? null) === v);
let tmpCount = 0;

/**
 * The workflow id as the file's top-level `id:` line writes it, to find the default store before
 * parsing. A guess: it is used only when the cache entry found there was built from these very bytes.
 */
export function guessWorkflowId(text: string): string | undefined {
  const ids = [...text.matchAll(/^id:[ \t]*(["']?)([A-Za-z][A-Za-z0-9_-]*)\1[ \t]*(#.*)?$/gm)];
  return ids.length === 1 ? ids[0]![2] : undefined;
}

async function readDoc(file: string): Promise<CacheDoc | undefined> {
  if (!build) return undefined;
  try {
    const doc = JSON.parse(await readFile(file, 'utf8')) as CacheDoc;
    return doc && doc.build === build ? doc : undefined;
  } catch {
    return undefined;
  }
}

async function writeDoc(file: string, doc: CacheDoc): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${tmpCount++}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(doc) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(tmp, file);
  } catch {
    // A cache that cannot be written is only a slower next run.
    await unlink(tmp).catch(() => undefined);
  }
}

/** Changes one entry of the cache document, keeping the other while it belongs to the same build. */
async function updateDoc(file: string, change: (doc: CacheDoc) => void): Promise<void> {
  if (!build) return;
  const doc = (await readDoc(file)) ?? { note, build };
  change(doc);
  await writeDoc(file, doc);
}

/** The workflow loaded earlier from the same bytes and the same variable values, if the cache holds it. */
export async function cachedWorkflow(file: string, text: string, location: string, env: NodeJS.ProcessEnv, guessedId?: string): Promise<LoadedWorkflow | undefined> {
  const cacheFile = cacheFileFor(location);
  const entry = cacheFile ? (await readDoc(cacheFile))?.workflow : undefined;
  if (!entry || entry.source !== text || !sameEnv(entry, env)) return undefined;
  if (guessedId !== undefined && entry.loaded.spec.id !== guessedId) return undefined;
  return { ...entry.loaded, file };
}

export async function rememberWorkflow(wf: LoadedWorkflow, text: string, location: string, env: NodeJS.ProcessEnv): Promise<void> {
  const cacheFile = cacheFileFor(location);
  if (!cacheFile) return;
  const { file: _file, ...loaded } = wf;
  await updateDoc(cacheFile, (doc) => {
    doc.workflow = { source: text, env: envOf(Object.keys(wf.vars).sort(), env), loaded };
  });
}

/** The ledger's size and its last complete line, read from the end (a partial line being appended means "changing"). */
export async function readLedgerEnd(file: string): Promise<{ bytes: number; last: { seq: number; hash: string } } | undefined> {
  let fd;
  try {
    fd = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await fd.stat();
    let tail = Buffer.alloc(0);
    let from = size;
    while (from > 0) {
      const n = Math.min(from, tail.length ? tail.length * 2 : 16 * 1024);
      from -= n;
      const piece = Buffer.alloc(n);
      await fd.read(piece, 0, n, from);
      tail = Buffer.concat([piece, tail]);
      if (tail[tail.length - 1] !== 0x0a) return undefined;
      const start = tail.lastIndexOf(0x0a, tail.length - 2);
      if (start < 0 && from > 0) continue;
      const e = JSON.parse(tail.subarray(start + 1, tail.length - 1).toString('utf8')) as { seq?: unknown; hash?: unknown };
      return typeof e.seq === 'number' && typeof e.hash === 'string' ? { bytes: size, last: { seq: e.seq, hash: e.hash } } : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    await fd.close();
  }
}

/**
 * The status report cached for this workflow and ledger, or undefined when anything it was built
 * from has changed: the build, the workflow's bytes or variables, the ledger's size or last line.
 */
export async function cachedStatus(text: string, location: string, env: NodeJS.ProcessEnv, guessedId?: string): Promise<StatusReport | undefined> {
  const cacheFile = cacheFileFor(location);
  const doc = cacheFile ? await readDoc(cacheFile) : undefined;
  const wf = doc?.workflow;
  const st = doc?.status;
  if (!wf || !st || st.specHash !== wf.loaded.hash) return undefined;
  if (wf.source !== text || !sameEnv(wf, env)) return undefined;
  if (guessedId !== undefined && wf.loaded.spec.id !== guessedId) return undefined;
  const end = await readLedgerEnd(st.ledgerFile);
  if (!end || end.bytes !== st.ledgerBytes || end.last.seq !== st.head.seq || end.last.hash !== st.head.hash) return undefined;
  // The ledger file must be the one this store location names (the entry could come from a copied folder).
  if (path.resolve(path.dirname(st.ledgerFile)) !== path.resolve(path.dirname(location))) return undefined;
  return st.report;
}

/** Caches a report built from the whole ledger, if the ledger still ends where the report says. */
export async function rememberStatus(report: StatusReport, specHash: string, location: string, ledgerFile: string | undefined): Promise<void> {
  const cacheFile = cacheFileFor(location);
  if (!cacheFile || !ledgerFile || !report.ledger) return;
  const end = await readLedgerEnd(ledgerFile);
  if (!end || end.last.seq !== report.ledger.seq || end.last.hash !== report.ledger.hash) return;
  await updateDoc(cacheFile, (doc) => {
    doc.status = { specHash, ledgerFile: path.resolve(ledgerFile), ledgerBytes: end.bytes, head: end.last, report };
  });
}

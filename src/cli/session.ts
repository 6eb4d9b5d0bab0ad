import { readFile } from 'node:fs/promises';
import type { LoadedWorkflow } from '../spec/load.js';
import { openSession, type Session } from '../runner/session.js';
import { openStore } from '../store/open.js';
import { cachedWorkflow, guessWorkflowId, rememberWorkflow } from './cache.js';
import { intOption, resolveStoreLocation, resolveWorkflowFile, type GlobalOptions } from './resolve.js';
import { progress } from './io.js';

/**
 * The workflow the options name, and the store location that follows from it. The parsed workflow
 * is reused from the cache beside the store while the file's bytes and its variables' values are
 * unchanged; otherwise the YAML is parsed and validated (and the YAML and zod code loaded) here.
 */
export async function loadCliWorkflow(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ wf: LoadedWorkflow; location: string }> {
  const file = await resolveWorkflowFile(opts, env);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined) {
    const explicit = opts.store ?? env.FLIPGATE_STORE;
    const guessed = explicit === undefined ? guessWorkflowId(text) : undefined;
    const location = explicit ?? (guessed ? resolveStoreLocation(opts, guessed, env) : undefined);
    const wf = location ? await cachedWorkflow(file, text, location, env, guessed) : undefined;
    if (wf && location) return { wf, location };
  }
  const { loadWorkflow, parseWorkflow } = await import('../spec/load.js');
  const wf = text === undefined ? await loadWorkflow(file, { env }) : parseWorkflow(text, file, { env });
  const location = resolveStoreLocation(opts, wf.spec.id, env);
  if (text !== undefined) await rememberWorkflow(wf, text, location, env);
  return { wf, location };
}

/** Loads the workflow and opens the store and probes as the global options say. */
export async function cliSession(opts: GlobalOptions, extra: { progress?: boolean } = {}): Promise<Session & { progress: ReturnType<typeof progress> }> {
  const { wf, location } = await loadCliWorkflow(opts);
  const store = await openStore(location, wf.spec.id);
  const bar = progress(!!extra.progress && !!process.stderr.isTTY && !opts.json);
  let session: Session;
  try {
    session = openSession({
      workflow: wf,
      store,
      actor: opts.as,
      root: opts.root,
      concurrency: intOption(opts.concurrency, '--concurrency', 1),
      timeoutMs: intOption(opts.timeout, '--timeout', 1),
      onProgress: bar,
    });
  } catch (e) {
    await store.close(); // a bad --as or option must not leave the store open
    throw e;
  }
  const close = session.close;
  return Object.assign(session, {
    progress: bar,
    close: async () => {
      bar.clear();
      await close();
      await store.close();
    },
  });
}

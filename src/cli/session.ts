import { loadWorkflow, type LoadedWorkflow } from '../spec/load.js';
import { openSession, type Session } from '../runner/session.js';
import { openStore } from '../store/open.js';
import { intOption, resolveStoreLocation, resolveWorkflowFile, type GlobalOptions } from './resolve.js';
import { progress } from './io.js';

/** Loads the workflow and opens the store and probes as the global options say. */
export async function cliSession(opts: GlobalOptions, extra: { progress?: boolean } = {}): Promise<Session & { progress: ReturnType<typeof progress> }> {
  const wf: LoadedWorkflow = await loadWorkflow(await resolveWorkflowFile(opts));
  const store = await openStore(resolveStoreLocation(opts, wf.spec.id), wf.spec.id);
  const bar = progress(!!extra.progress && !!process.stderr.isTTY && !opts.json);
  const session = openSession({
    workflow: wf,
    store,
    actor: opts.as,
    root: opts.root,
    concurrency: intOption(opts.concurrency, '--concurrency', 1),
    timeoutMs: intOption(opts.timeout, '--timeout', 1),
    onProgress: bar,
  });
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

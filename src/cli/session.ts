import path from 'node:path';
import { planMachine, type MachinePlan } from '../machine/plan.js';
import type { ViewReader } from '../runner/ledger-view.js';
import type { Session } from '../runner/session.js';
import type { LoadedWorkflow } from '../spec/load.js';
import { keysFromEnv, openStore } from '../store/open.js';
import type { StoreOptions } from '../store/types.js';
import { openWitness, type Witness } from '../store/witness.js';
import { publicKeyOf } from '../support/digest.js';
import { progress } from './io.js';
import { intOption, resolveStoreLocation, resolveWorkflowFile, type GlobalOptions } from './resolve.js';

/** The workflow the options name, read from its file (every time: the file is the truth), and the store location that follows from it. */
async function loadCliWorkflow(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<{ wf: LoadedWorkflow; location: string }> {
  const file = await resolveWorkflowFile(opts, env);
  const { loadWorkflow } = await import('../spec/load.js');
  const wf = await loadWorkflow(file, { env });
  return { wf, location: resolveStoreLocation(opts, wf.spec.id, env) };
}

/** --witness, else FLIPGATE_WITNESS, else the workflow's `ledger: {witness}` (a path there is relative to the workflow file). */
function cliWitness(opts: GlobalOptions, wf: LoadedWorkflow, env: NodeJS.ProcessEnv = process.env): Witness | undefined {
  if (opts.witness) return openWitness(opts.witness);
  if (env.FLIPGATE_WITNESS) return openWitness(env.FLIPGATE_WITNESS);
  const fromSpec = wf.spec.ledger?.witness;
  return fromSpec ? openWitness(fromSpec, path.dirname(wf.file)) : undefined;
}

/** Notes go to stderr, so that they never mix with a report on stdout (--json included). */
export const printNote = (note: string) => process.stderr.write(`flipgate: note: ${note}\n`);

interface Opened {
  wf: LoadedWorkflow;
  keys: StoreOptions;
  store: Awaited<ReturnType<typeof openStore>>;
  witness: Witness | undefined;
}

async function openAll(opts: GlobalOptions): Promise<Opened> {
  const { wf, location } = await loadCliWorkflow(opts);
  const keys = await keysFromEnv();
  const store = await openStore(location, wf.spec.id, keys);
  return { wf, keys, store, witness: cliWitness(opts, wf) };
}

/** What `status` and the other readers need: the workflow, its plan and its store, without the machine or the probes. */
export async function cliReader(opts: GlobalOptions): Promise<ViewReader & { plan: MachinePlan; close(): Promise<void> }> {
  const { wf, keys, store, witness } = await openAll(opts);
  return {
    wf,
    store,
    plan: planMachine(wf.spec),
    verifyKey: keys.verifyKey ?? (keys.signingKey ? publicKeyOf(keys.signingKey) : undefined),
    witness,
    note: printNote,
    close: async () => {
      await witness?.close();
      await store.close();
    },
  };
}

/** Loads the workflow and opens the store, the witness and the probes as the global options say. */
export async function cliSession(opts: GlobalOptions, extra: { progress?: boolean } = {}): Promise<Session & { progress: ReturnType<typeof progress> }> {
  const { wf, keys, store, witness } = await openAll(opts);
  const bar = progress(!!extra.progress && !!process.stderr.isTTY && !opts.json);
  const { openSession } = await import('../runner/session.js');
  const session = openSession({
    workflow: wf,
    store,
    actor: opts.as,
    root: opts.root,
    concurrency: intOption(opts.concurrency, '--concurrency', 1),
    timeoutMs: intOption(opts.timeout, '--timeout', 1),
    onProgress: bar,
    signingKey: keys.signingKey,
    verifyKey: keys.verifyKey,
    witness,
    onNote: (note) => {
      bar.clear();
      printNote(note);
    },
  });
  const close = session.close;
  return Object.assign(session, {
    progress: bar,
    close: async () => {
      bar.clear();
      await close();
      await witness?.close();
      await store.close();
    },
  });
}

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { parseTarget } from '../remote/target.js';
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

/** The workflow in `file`, read, parsed and validated (every time: the file is the truth). */
async function validated(file: string, env: NodeJS.ProcessEnv): Promise<LoadedWorkflow> {
  const { loadWorkflow } = await import('../spec/load.js');
  return loadWorkflow(file, { env });
}

/**
 * The workflow the options name and the store location that follows from it. With `unvalidated`, a
 * file that parses is returned without validation (see readUnvalidated): the caller must load it
 * again with validation unless the ledger anchored its hash.
 */
async function loadCliWorkflow(opts: GlobalOptions, env: NodeJS.ProcessEnv, unvalidated = false): Promise<{ wf: LoadedWorkflow; location: string }> {
  const file = await resolveWorkflowFile(opts, env);
  const text = unvalidated ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  const quick = text !== undefined ? (await import('../spec/anchored.js')).readUnvalidated(text, file, env) : undefined;
  const wf = quick ?? (await validated(file, env));
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

async function openAll(opts: GlobalOptions, unvalidated = false): Promise<Opened> {
  // A malformed target is bad input on every command, also on those that only read.
  if (opts.target !== undefined) parseTarget(opts.target);
  const { wf, location } = await loadCliWorkflow(opts, process.env, unvalidated);
  const keys = await keysFromEnv();
  const store = await openStore(location, wf.spec.id, keys);
  return { wf, keys, store, witness: cliWitness(opts, wf) };
}

export interface CliReader extends ViewReader {
  plan: MachinePlan;
  /** Validates the workflow file now (a reader opened with `unvalidated` whose spec the ledger never anchored). */
  validate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What `status` and the other readers need: the workflow, its plan and its store, without the machine
 * or the probes. With `unvalidated` (status), the workflow file is parsed but not validated, which
 * keeps zod unloaded: call validate() unless the view's anchored spec hash is the file's.
 */
export async function cliReader(opts: GlobalOptions, { unvalidated = false } = {}): Promise<CliReader> {
  const { wf, keys, store, witness } = await openAll(opts, unvalidated);
  const reader: CliReader = {
    wf,
    store,
    plan: planMachine(wf.spec),
    validate: async () => {
      reader.wf = await validated(wf.file, process.env);
      reader.plan = planMachine(reader.wf.spec);
    },
    verifyKey: keys.verifyKey ?? (keys.signingKey ? publicKeyOf(keys.signingKey) : undefined),
    witness,
    note: printNote,
    close: async () => {
      await witness?.close();
      await store.close();
    },
  };
  return reader;
}

/**
 * The host a command probes and runs its commands on: --target, else FLIPGATE_TARGET, else this
 * machine; over SSH the operator's ssh_config is used (FLIPGATE_SSH_CONFIG names another file).
 */
export async function cliTarget(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env, how: { connectNow?: boolean } = {}) {
  const [{ openTarget }, { resolveTarget }] = await Promise.all([import('../remote/open-target.js'), import('../remote/target.js')]);
  const target = resolveTarget(opts.target, env);
  if (opts.become !== undefined && opts.become !== 'sudo') throw new ConfigError(`--become "${opts.become}" is not supported`, { place: { field: '--become' }, fix: 'write --become sudo, or leave it out' });
  if (opts.become && target.kind === 'local') throw new ConfigError('--become applies to an ssh:// target only', { place: { field: '--become' }, fix: 'add --target ssh://HOST, or run flipgate itself with sudo' });
  return openTarget(target, { root: opts.root, become: opts.become === 'sudo' ? 'sudo' : undefined, configFile: env.FLIPGATE_SSH_CONFIG || undefined, timeoutMs: intOption(opts.timeout, '--timeout', 1), connectNow: how.connectNow });
}

/** Loads the workflow and opens the store, the witness and the probes as the global options say. */
export async function cliSession(opts: GlobalOptions, extra: { progress?: boolean; /** false: the command only reads (no early SSH connection) */ probes?: boolean } = {}): Promise<Session & { progress: ReturnType<typeof progress> }> {
  // An SSH target connects while the workflow is read and the store opened (a handshake takes
  // longer than both); its errors surface below, or as ERROR checks for a host that cannot be reached.
  const opening = cliTarget(opts, process.env, { connectNow: extra.probes !== false });
  opening.catch(() => undefined);
  let opened: Opened;
  try {
    opened = await openAll(opts);
  } catch (e) {
    await opening.then((t) => t.close(), () => undefined);
    throw e;
  }
  const { wf, keys, store, witness } = opened;
  const bar = progress(!!extra.progress && !!process.stderr.isTTY && !opts.json);
  const { openSession } = await import('../runner/session.js');
  let session: Session;
  try {
    const target = await opening;
    session = openSession({
      target,
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
  } catch (e) {
    // a bad --as or option must not leave the store or the witness open
    await witness?.close();
    await store.close();
    throw e;
  }
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

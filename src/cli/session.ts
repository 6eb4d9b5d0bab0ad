import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { type MachinePlan, planMachine } from '../machine/plan.js';
import { parseTarget } from '../remote/target.js';
import type { FleetMember } from '../runner/engine/fleet-workflow.js';
import type { ViewReader } from '../runner/engine/ledger-view.js';
import type { Session } from '../runner/engine/session.js';
import type { LoadedWorkflow } from '../spec/load.js';
import { keysFromEnv, openStore } from '../store/open.js';
import type { StoreOptions } from '../store/types.js';
import { openWitness, type Witness } from '../store/witness.js';
import { publicKeyOf } from '../support/digest.js';
import { progress } from './io.js';
import { type GlobalOptions, intOption, resolveStoreLocation, resolveWorkflowFile } from './resolve.js';

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
async function loadCliWorkflow(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv,
  unvalidated = false,
): Promise<{ wf: LoadedWorkflow; location: string; members?: FleetMember[] }> {
  const file = await resolveWorkflowFile(opts, env);
  if (fleetScope(opts, env)) {
    const fleet = await cliFleetWorkflow(opts, file, env);
    return { ...fleet, location: resolveStoreLocation(opts, fleet.wf.spec.id, env) };
  }
  const text = unvalidated ? await readFile(file, 'utf8').catch(() => undefined) : undefined;
  const quick = text !== undefined ? (await import('../spec/anchored.js')).readUnvalidated(text, file, env) : undefined;
  const wf = quick ?? (await validated(file, env));
  return { wf, location: resolveStoreLocation(opts, wf.spec.id, env) };
}

/**
 * --inventory and --hosts, else FLIPGATE_INVENTORY and FLIPGATE_HOSTS: every command on a fleet's ledger
 * must name the same hosts, since the ledger anchors the workflow as resolved for exactly them.
 */
function fleetScope(opts: GlobalOptions, env: NodeJS.ProcessEnv): { inventory: string | undefined; hosts: string | undefined } | undefined {
  const inventory = opts.inventory ?? (env.FLIPGATE_INVENTORY || undefined);
  const hosts = opts.hosts ?? (env.FLIPGATE_HOSTS || undefined);
  return inventory !== undefined || hosts !== undefined ? { inventory, hosts } : undefined;
}

/** `--inventory FILE [--hosts PATTERN]`: the workflow resolved for each host the pattern selects. */
async function cliFleetWorkflow(
  opts: GlobalOptions,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ wf: LoadedWorkflow; members: FleetMember[] }> {
  const scope = fleetScope(opts, env);
  if (scope?.inventory === undefined)
    throw new ConfigError('--hosts needs an inventory', {
      place: { field: '--hosts' },
      fix: 'pass --inventory FILE (an Ansible INI or YAML inventory), or set FLIPGATE_INVENTORY',
    });
  const [{ loadFleet }, { loadFleetWorkflow }] = await Promise.all([
    import('../remote/inventory/load.js'),
    import('../runner/engine/fleet-workflow.js'),
  ]);
  return loadFleetWorkflow(file, await loadFleet(scope.inventory, scope.hosts ?? 'all'), env);
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
  members?: FleetMember[];
  keys: StoreOptions;
  store: Awaited<ReturnType<typeof openStore>>;
  witness: Witness | undefined;
}

async function openAll(opts: GlobalOptions, unvalidated = false, storeMayFail = false): Promise<Opened> {
  // A malformed target is bad input on every command, also on those that only read.
  if (opts.target !== undefined) parseTarget(opts.target);
  const { wf, location, members } = await loadCliWorkflow(opts, process.env, unvalidated);
  const keys = await keysFromEnv();
  // The disable acts before it records: the store is opened when first used, and one it cannot open does not stop it.
  const store = storeMayFail
    ? (await import('../store/deferred.js')).deferredStore(location, () => openStore(location, wf.spec.id, keys))
    : await openStore(location, wf.spec.id, keys);
  return { wf, members, keys, store, witness: cliWitness(opts, wf) };
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
      reader.wf = fleetScope(opts, process.env)
        ? (await cliFleetWorkflow(opts, wf.file, process.env)).wf
        : await validated(wf.file, process.env);
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
  if (opts.become !== undefined && opts.become !== 'sudo')
    throw new ConfigError(`--become "${opts.become}" is not supported`, {
      place: { field: '--become' },
      fix: 'write --become sudo, or leave it out',
    });
  if (opts.become && target.kind === 'local')
    throw new ConfigError('--become applies to an ssh:// target only', {
      place: { field: '--become' },
      fix: 'add --target ssh://HOST, or run flipgate itself with sudo',
    });
  return openTarget(target, {
    root: opts.root,
    become: opts.become === 'sudo' ? 'sudo' : undefined,
    configFile: env.FLIPGATE_SSH_CONFIG || undefined,
    timeoutMs: intOption(opts.timeout, '--timeout', 1),
    connectNow: how.connectNow,
  });
}

/** The inventory's hosts, opened: each reached as the inventory says (--target, --become and --root are the inventory's to give). */
async function cliFleet(opts: GlobalOptions, members: FleetMember[], env: NodeJS.ProcessEnv = process.env) {
  for (const [flag, given] of [
    ['--target', opts.target !== undefined],
    ['--become', opts.become !== undefined],
    ['--root', opts.root !== undefined && opts.root !== '/'],
  ] as const) {
    if (given)
      throw new ConfigError(`${flag} does not apply with --inventory`, {
        place: { field: flag },
        fix: 'give each host its address, ansible_become or flipgate_root in the inventory',
      });
  }
  const { openFleet } = await import('../runner/engine/fleet.js');
  const timeoutMs = intOption(opts.timeout, '--timeout', 1);
  const max = env.FLIPGATE_PG_MAX_CONNECTIONS ? Number(env.FLIPGATE_PG_MAX_CONNECTIONS) : undefined;
  return openFleet(members, {
    forks: intOption(opts.forks, '--forks', 1),
    env,
    ssh: { configFile: env.FLIPGATE_SSH_CONFIG || undefined, timeoutMs },
    pgMaxConnections: max,
  });
}

/** Loads the workflow and opens the store, the witness and the probes as the global options say. */
export async function cliSession(
  opts: GlobalOptions,
  extra: {
    progress?: boolean;
    storeMayFail?: boolean /** false: the command only reads (no early SSH connection) */;
    probes?: boolean;
  } = {},
): Promise<Session & { progress: ReturnType<typeof progress> }> {
  // An SSH target connects while the workflow is read and the store opened (a handshake takes
  // longer than both); its errors surface below, or as ERROR checks for a host that cannot be reached.
  // An inventory's hosts are opened once it is read (see cliFleet).
  const opening = fleetScope(opts, process.env) ? undefined : cliTarget(opts, process.env, { connectNow: extra.probes !== false });
  opening?.catch(() => undefined);
  let opened: Opened;
  try {
    opened = await openAll(opts, false, extra.storeMayFail);
  } catch (e) {
    await opening?.then(
      (t) => t.close(),
      () => undefined,
    );
    throw e;
  }
  const { wf, members, keys, store, witness } = opened;
  const bar = progress(!!extra.progress && !!process.stderr.isTTY && !opts.json);
  const { openSession } = await import('../runner/engine/session.js');
  let session: Session;
  try {
    const reach = members ? { fleet: await cliFleet(opts, members) } : { target: await (opening ?? cliTarget(opts)) };
    session = openSession({
      ...reach,
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

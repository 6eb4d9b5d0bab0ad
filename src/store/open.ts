import { readSigningKey, readVerifyKey } from '../support/digest.js';
import { backendFor } from './registry.js';
import type { StoreOptions, WorkflowStore } from './types.js';

export interface OpenStoreOptions extends StoreOptions {
  /** Where FLIPGATE_SIGNING_KEY and FLIPGATE_VERIFY_KEY are read from when no key is given (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The keys the environment configures: FLIPGATE_SIGNING_KEY (private) and FLIPGATE_VERIFY_KEY (public). */
export async function keysFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<StoreOptions> {
  const signing = env.FLIPGATE_SIGNING_KEY;
  const verify = env.FLIPGATE_VERIFY_KEY;
  return {
    ...(signing ? { signingKey: await readSigningKey(signing, 'FLIPGATE_SIGNING_KEY') } : {}),
    ...(verify ? { verifyKey: await readVerifyKey(verify, 'FLIPGATE_VERIFY_KEY') } : {}),
  };
}

/**
 * Opens the store at `location`: a file path or file: URL (JSON Lines + a lowdb view) or a postgres:// URL
 * (the backend is chosen by the location's scheme, see registry.ts). New
 * events (and the view) are signed when FLIPGATE_SIGNING_KEY names an ed25519 private key (PEM); the
 * view's signature is checked with FLIPGATE_VERIFY_KEY, else the signing key's public half.
 * @example
 * const store = await openStore(process.env.FLIPGATE_STORE ?? 'state/o8.json', 'o8-production-readiness');
 */
export async function openStore(location: string, workflow: string, opts: OpenStoreOptions = {}): Promise<WorkflowStore> {
  const fromEnv = opts.signingKey || opts.verifyKey ? {} : await keysFromEnv(opts.env ?? process.env);
  const keys: StoreOptions = { signingKey: opts.signingKey ?? fromEnv.signingKey, verifyKey: opts.verifyKey ?? fromEnv.verifyKey };
  return backendFor(location).open(location, workflow, keys);
}

/**
 * The workflows with a ledger at `location`, whatever its backend.
 * @example
 * const [only] = await storeWorkflows('postgres://flipgate@db/audit');
 */
export async function storeWorkflows(location: string): Promise<string[]> {
  return backendFor(location).workflows(location);
}

import { ConfigError } from '../errors.js';
import { FileStore } from './file-store.js';
import { readSigningKey } from './signing.js';
import type { StoreOptions, WorkflowStore } from './types.js';

export const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

export interface OpenStoreOptions extends StoreOptions {
  /** Where FLIPGATE_SIGNING_KEY is read from when no signingKey is given (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Opens the store at `location`: a file path (lowdb + JSON Lines) or a postgres:// URL. New events
 * are signed when FLIPGATE_SIGNING_KEY names an ed25519 private key (PEM).
 * @example
 * const store = await openStore(process.env.FLIPGATE_STORE ?? 'state/o8.json', 'o8-production-readiness');
 */
export async function openStore(location: string, workflow: string, opts: OpenStoreOptions = {}): Promise<WorkflowStore> {
  const env = opts.env ?? process.env;
  const keyFile = env.FLIPGATE_SIGNING_KEY;
  const signingKey = opts.signingKey ?? (keyFile ? await readSigningKey(keyFile, 'FLIPGATE_SIGNING_KEY') : undefined);
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import('./postgres-store.js').catch(() => {
      throw new ConfigError('the Postgres store is not available in this build', { place: { field: '--store' }, fix: 'use a file path for --store' });
    });
    return PostgresStore.open(location, workflow, { signingKey });
  }
  return new FileStore(location, workflow, { signingKey });
}

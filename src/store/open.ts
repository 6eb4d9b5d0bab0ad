import { ConfigError } from '../errors.js';
import { FileStore } from './file-store.js';
import type { WorkflowStore } from './types.js';

export const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//.test(s);

/** Opens the store at `location`: a file path (lowdb + JSON Lines) or a postgres:// URL. */
export async function openStore(location: string, workflow: string): Promise<WorkflowStore> {
  if (isPostgresUrl(location)) {
    const { PostgresStore } = await import('./postgres-store.js').catch(() => {
      throw new ConfigError('the Postgres store is not available in this build', { place: { field: '--store' }, fix: 'use a file path for --store' });
    });
    return PostgresStore.open(location, workflow);
  }
  return new FileStore(location, workflow);
}

import { ConfigError } from '../errors.js';
import type { WorkflowStore } from './types.js';

/** Placeholder replaced by the team store; opening it says so plainly. */
export const PostgresStore = {
  async open(_url: string, _workflow: string): Promise<WorkflowStore> {
    throw new ConfigError('the Postgres store is not implemented yet', { place: { field: '--store' }, fix: 'use a file path for --store (the default is state/<workflow>.json)' });
  },
};

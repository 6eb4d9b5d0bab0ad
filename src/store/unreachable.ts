import type { WorkflowStore } from './types.js';

/**
 * A store that could not be opened (its Postgres server unreachable, say), standing in for it so that
 * a command that must act whatever the store's state — the disable — can act, then find out it
 * cannot record. Every read and write fails with the reason it could not be opened.
 */
export function unreachableStore(location: string, problem: Error): WorkflowStore {
  const fail = async (): Promise<never> => {
    throw problem;
  };
  return {
    location,
    viewLocation: location,
    readEvents: fail,
    readLedger: fail,
    scan: fail,
    tail: fail,
    hashAt: fail,
    head: fail,
    readView: fail,
    transact: fail,
    close: async () => undefined,
  };
}

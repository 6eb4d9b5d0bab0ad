import type { WorkflowStore } from './types.js';

/**
 * A store opened on first use, for a command that must act before it touches the store — the
 * disable. Opening it (connecting to Postgres, say) waits until the first read or write; when it
 * cannot be opened, every read and write fails with the reason, and the command that acted first
 * can say plainly what it could not record.
 */
export function deferredStore(location: string, open: () => Promise<WorkflowStore>): WorkflowStore {
  let opened: Promise<WorkflowStore> | undefined;
  const store = () => (opened ??= open());
  const call =
    <K extends keyof WorkflowStore>(name: K) =>
    async (...args: unknown[]) => {
      const s = await store();
      return (s[name] as (...a: unknown[]) => unknown).apply(s, args);
    };
  return {
    location,
    viewLocation: location,
    readEvents: call('readEvents') as WorkflowStore['readEvents'],
    readLedger: call('readLedger') as WorkflowStore['readLedger'],
    scan: call('scan') as WorkflowStore['scan'],
    tail: call('tail') as WorkflowStore['tail'],
    hashAt: call('hashAt') as WorkflowStore['hashAt'],
    head: call('head') as WorkflowStore['head'],
    readView: call('readView') as WorkflowStore['readView'],
    transact: call('transact') as WorkflowStore['transact'],
    close: async () => {
      if (opened)
        await opened.then(
          (s) => s.close(),
          () => undefined,
        );
    },
  };
}

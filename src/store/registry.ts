import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { FileStore } from './file-store.js';
import type { StoreOptions, WorkflowStore } from './types.js';

/** A kind of store: the URL schemes it serves, how it opens a workflow's ledger, and which ledgers it holds. */
export interface StoreBackend {
  name: string;
  /** Schemes without the colon; the file backend also serves plain paths. */
  schemes: readonly string[];
  open(location: string, workflow: string, keys: StoreOptions): Promise<WorkflowStore>;
  /** The workflows with a ledger at `location` (so that a copy need not name one). */
  workflows(location: string): Promise<string[]>;
}

/** `file:///abs/x.json` or `file:rel/x.json` → the path; a plain path stays as it is. */
const filePath = (location: string) => (location.startsWith('file://') ? fileURLToPath(location) : location.replace(/^file:/, ''));

const fileBackend: StoreBackend = {
  name: 'file',
  schemes: ['file'],
  open: async (location, workflow, keys) => new FileStore(filePath(location), workflow, keys),
  async workflows(location) {
    const first = (await new FileStore(filePath(location), '').readEvents())[0];
    return first?.workflow ? [first.workflow] : [];
  },
};

// Loaded only when a postgres:// location is used: pg is not needed for a file store.
const postgres = () =>
  import('./postgres-store.js').catch(() => {
    throw new ConfigError('the Postgres store is not available in this build', {
      place: { field: '--store' },
      fix: 'use a file path for --store',
    });
  });

const postgresBackend: StoreBackend = {
  name: 'postgres',
  schemes: ['postgres', 'postgresql'],
  open: async (location, workflow, keys) => (await postgres()).PostgresStore.open(location, workflow, keys),
  async workflows(location) {
    const store = await (await postgres()).PostgresStore.open(location, '', {});
    try {
      return (await store.workflows()).map((w) => w.workflow);
    } finally {
      await store.close();
    }
  },
};

/** Every backend; a new one is one entry here (and its module and tests beside this file). */
const backends: readonly StoreBackend[] = [fileBackend, postgresBackend];

/** The backend that serves `location`, by its URL scheme (a plain path, or a Windows drive letter, is a file). */
export function backendFor(location: string): StoreBackend {
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(location)?.[1]?.toLowerCase();
  if (!scheme) return fileBackend;
  const found = backends.find((b) => b.schemes.includes(scheme));
  if (found) return found;
  const known = backends.flatMap((b) => b.schemes.map((s) => `${s}:`));
  throw new ConfigError(`no store serves "${scheme}:" locations`, {
    place: { field: '--store' },
    fix: `use a file path or one of ${known.join(', ')}`,
  });
}

export const isPostgresUrl = (s: string) => /^postgres(ql)?:\/\//i.test(s);

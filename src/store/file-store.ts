import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import { ConfigError } from '../errors.js';
import { writeFileAtomic, appendDurable } from './atomic-file.js';
import { sealEvents } from './chain.js';
import { JsonLinesLedgerAdapter, readJsonLines } from './jsonl.js';
import type { LedgerEvent, NewEvent, StoreTx, WorkflowStore } from './types.js';

/** The small snapshot document lowdb keeps beside the ledger (a cache: the ledger is the truth). */
export interface SnapshotDoc {
  schemaVersion: 1;
  workflow: string;
  headSeq: number;
  headHash: string;
  updated: string;
}

class AtomicJsonAdapter<T> {
  constructor(readonly file: string) {}
  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return null; // A damaged cache is rebuilt from the ledger.
    }
  }
  write(data: T): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}

export function ledgerPathFor(snapshotPath: string): string {
  return snapshotPath.replace(/\.json$/, '') + '.events.jsonl';
}

function storeError(what: string, file: string, e: unknown): ConfigError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  const fix =
    code === 'ENOSPC' ? 'free disk space and run the command again' :
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'give this user write access to the store directory, or choose another with --store' :
    code === 'ELOCKED' ? 'another flipgate is updating this workflow; wait and retry' :
    'check the store path given by --store';
  return new ConfigError(`cannot ${what} (${code}); nothing was recorded`, { place: { file }, fix });
}

/**
 * The default store: events as JSON Lines appended under a cross-process lock (only the last line
 * is needed for `prev`), and a lowdb snapshot document beside them, written atomically.
 */
export class FileStore implements WorkflowStore {
  readonly ledgerFile: string;
  private readonly snapshot: Low<SnapshotDoc | null>;
  constructor(readonly location: string, private readonly workflow: string) {
    this.ledgerFile = ledgerPathFor(location);
    this.snapshot = new Low<SnapshotDoc | null>(new AtomicJsonAdapter<SnapshotDoc | null>(location), null);
  }

  async readEvents(): Promise<LedgerEvent[]> {
    try {
      const ledger = new Low<LedgerEvent[]>(new JsonLinesLedgerAdapter(this.ledgerFile) as never, []);
      await ledger.read();
      return ledger.data;
    } catch (e) {
      throw storeError('read the ledger', this.ledgerFile, e);
    }
  }

  async transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    const dir = path.dirname(this.ledgerFile);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw storeError('create the store directory', dir, e);
    }
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(this.ledgerFile, {
        realpath: false,
        stale: 10_000,
        update: 2_000,
        retries: { retries: 600, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
      });
    } catch (e) {
      throw storeError('lock the ledger', this.ledgerFile, e);
    }
    let read: Awaited<ReturnType<typeof readJsonLines>> | undefined;
    const tx: StoreTx = {
      events: async () => {
        read = await readJsonLines(this.ledgerFile).catch((e) => {
          throw storeError('read the ledger', this.ledgerFile, e);
        });
        return read.events;
      },
      append: async (events: NewEvent[]) => {
        if (!read) await tx.events();
        const last = read!.events[read!.events.length - 1];
        const sealed = sealEvents(last, this.workflow, events);
        if (!sealed.length) return sealed;
        try {
          await appendDurable(this.ledgerFile, sealed.map((e) => JSON.stringify(e) + '\n').join(''), read!.validLength);
        } catch (e) {
          throw storeError('append to the ledger', this.ledgerFile, e);
        }
        const head = sealed[sealed.length - 1]!;
        read = { ...read!, events: [...read!.events, ...sealed], validLength: read!.validLength + Buffer.byteLength(sealed.map((e) => JSON.stringify(e) + '\n').join('')) };
        this.snapshot.data = { schemaVersion: 1, workflow: this.workflow, headSeq: head.seq, headHash: head.hash, updated: head.time };
        // The snapshot is a cache; a failed write leaves the (already durable) ledger authoritative.
        await this.snapshot.write().catch(() => undefined);
        return sealed;
      },
    };
    try {
      return await fn(tx);
    } finally {
      await release().catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Low } from 'lowdb';
import { ConfigError } from '../errors.js';
import { writeFileAtomic, appendDurable, LedgerMovedError } from './atomic-file.js';
import { eventText, sealEvents } from './chain.js';
import { JsonLinesLedgerAdapter, readTail } from './jsonl.js';
import { acquireLock, LockBusyError, type LockOptions } from './lock.js';
import { keyId, signerFor, type Signer } from './signing.js';
import { GENESIS, type LedgerEvent, type NewEvent, type StoreOptions, type StoreTx, type WorkflowStore } from './types.js';

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
    } catch {
      return null; // Missing or damaged: the cache is rebuilt from the ledger.
    }
  }
  write(data: T): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n');
  }
}

const LEDGER_SUFFIX = '.events.jsonl';

/** `state/x.json` → `state/x.events.jsonl` (a ledger path is accepted as it is). */
export function ledgerPathFor(location: string): string {
  return location.endsWith(LEDGER_SUFFIX) ? location : location.replace(/\.json$/, '') + LEDGER_SUFFIX;
}

function snapshotPathFor(location: string): string {
  return location.endsWith(LEDGER_SUFFIX) ? location.slice(0, -LEDGER_SUFFIX.length) + '.json' : location;
}

function storeError(what: string, file: string, e: unknown): ConfigError {
  if (e instanceof ConfigError) return e;
  const code = e instanceof LedgerMovedError ? 'EMOVED' : ((e as NodeJS.ErrnoException).code ?? 'error');
  const fix =
    code === 'ENOSPC' || code === 'EDQUOT' ? 'free disk space and run the command again' :
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'give this user write access to the store directory, or choose another with --store' :
    code === 'ELOCKED' ? `another flipgate is updating this workflow (${(e as Error).message}); wait and retry` :
    code === 'EMOVED' ? 'another program writes this ledger without flipgate\'s lock: stop it, then run flipgate audit verify' :
    'check the store path given by --store';
  return new ConfigError(`cannot ${what} (${code}); nothing was recorded`, { place: { file }, fix });
}

const usable = (e: LedgerEvent | undefined): boolean => !e || (Number.isSafeInteger(e.seq) && typeof e.hash === 'string');

/**
 * The default store: events as JSON Lines appended under a cross-process lock (an append reads only
 * the last line, for `prev`), and a lowdb snapshot document beside them, written atomically.
 */
export class FileStore implements WorkflowStore {
  readonly ledgerFile: string;
  readonly signing: { keyId: string } | undefined;
  private readonly snapshot: Low<SnapshotDoc | null>;
  private readonly sign: Signer | undefined;
  private readonly lockOptions: LockOptions;
  constructor(readonly location: string, private readonly workflow: string, opts: StoreOptions & { lock?: LockOptions } = {}) {
    this.ledgerFile = ledgerPathFor(location);
    this.snapshot = new Low<SnapshotDoc | null>(new AtomicJsonAdapter<SnapshotDoc | null>(snapshotPathFor(location)), null);
    this.sign = opts.signingKey ? signerFor(opts.signingKey) : undefined;
    this.signing = opts.signingKey ? { keyId: keyId(opts.signingKey) } : undefined;
    this.lockOptions = opts.lock ?? {};
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

  async head(): Promise<{ seq: number; hash: string } | undefined> {
    const t = await readTail(this.ledgerFile).catch((e) => {
      throw storeError('read the ledger', this.ledgerFile, e);
    });
    return t.last && usable(t.last) ? { seq: t.last.seq, hash: t.last.hash } : undefined;
  }

  async transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.locked(async (write) => {
      const tx: StoreTx = {
        events: () => this.readEvents(),
        append: async (events: NewEvent[]) => (events.length ? write((last) => sealEvents(last, this.workflow, events, undefined, this.sign)) : []),
      };
      return fn(tx);
    });
  }

  /** Appends events sealed by another store (store copy), unchanged; they must continue this chain. */
  async importEvents(events: LedgerEvent[]): Promise<void> {
    if (!events.length) return;
    await this.locked(async (write) => {
      await write((last) => {
        const first = events[0]!;
        if (first.prev !== (last?.hash ?? GENESIS) || first.seq !== (last?.seq ?? 0) + 1 || first.workflow !== this.workflow) {
          throw new ConfigError(`the events to import start at event ${first.seq} of ${first.workflow}, but this ledger ends at event ${last?.seq ?? 0} of ${this.workflow}`, { place: { file: this.ledgerFile }, fix: 'copy into an empty store, or one holding the same ledger up to where the copy starts' });
        }
        return events;
      });
    });
  }

  // Runs `fn` under the lock with a writer that seals onto the current last line and appends durably.
  private async locked<T>(fn: (write: (seal: (last: LedgerEvent | undefined) => LedgerEvent[]) => Promise<LedgerEvent[]>) => Promise<T>): Promise<T> {
    const dir = path.dirname(this.ledgerFile);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw storeError('create the store directory', dir, e);
    }
    const lock = await acquireLock(this.ledgerFile, this.lockOptions).catch((e) => {
      throw storeError('lock the ledger', this.ledgerFile, e instanceof LockBusyError ? Object.assign(e, { code: 'ELOCKED' }) : e);
    });
    let tail: { last: LedgerEvent | undefined; validLength: number } | undefined;
    const write = async (seal: (last: LedgerEvent | undefined) => LedgerEvent[]): Promise<LedgerEvent[]> => {
      try {
        if (!tail) {
          const t = await readTail(this.ledgerFile);
          if (t.lastMalformed || !usable(t.last)) {
            throw new ConfigError('the last line of the ledger is not a ledger event; nothing was recorded', { place: { file: this.ledgerFile }, fix: 'run flipgate audit verify to see what is wrong, and restore the ledger from a copy' });
          }
          tail = t;
        }
        const sealed = seal(tail.last);
        const text = sealed.map((e) => eventText(e) + '\n').join('');
        if (!(await lock.held())) throw new ConfigError('the ledger lock was taken over as stale while this command held it; nothing was recorded', { place: { file: `${this.ledgerFile}.lock` }, fix: 'run the command again' });
        await appendDurable(this.ledgerFile, text, tail.validLength);
        tail = { last: sealed[sealed.length - 1], validLength: tail.validLength + Buffer.byteLength(text) };
        const head = tail.last!;
        this.snapshot.data = { schemaVersion: 1, workflow: this.workflow, headSeq: head.seq, headHash: head.hash, updated: head.time };
        // The snapshot is a cache; a failed write leaves the (already durable) ledger authoritative.
        await this.snapshot.write().catch(() => undefined);
        return sealed;
      } catch (e) {
        throw storeError('append to the ledger', this.ledgerFile, e);
      }
    };
    try {
      return await fn(write);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  async close(): Promise<void> {}
}

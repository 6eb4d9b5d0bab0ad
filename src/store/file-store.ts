import type { KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Adapter, Low } from 'lowdb';
import { ConfigError } from '../errors.js';
import { publicKeyOf, type Signer, signerFor } from '../support/digest.js';
import { appendDurable, LedgerMovedError, sweepTempFiles, writeFileAtomic } from './atomic-file.js';
import { eventText, sealEvents } from './chain.js';
import { hashNearEnd, readJsonLines, readTail, scanJsonLines } from './jsonl.js';
import { acquireLock, clearDeadLock, LockBusyError, type LockOptions } from './lock.js';
import {
  GENESIS,
  type Head,
  type LedgerEvent,
  type LedgerRead,
  type LedgerTail,
  type LedgerVisitor,
  type NewEvent,
  type StoredView,
  type StoreOptions,
  type StoreTx,
  type WorkflowStore,
} from './types.js';
import { openView, sealView, type ViewDoc } from './view-doc.js';

/**
 * lowdb's JSONFile, written for a file several processes share: a unique temp name per writer (lowdb's
 * fixed `.name.tmp` collides), fsync before the rename, the file's mode kept (0600 when new).
 */
class SharedJsonFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}
  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return JSON.parse(text) as T;
  }
  write(data: T): Promise<void> {
    return writeFileAtomic(this.file, `${JSON.stringify(data)}\n`);
  }
}

const LEDGER_SUFFIX = '.events.jsonl';

/** `state/x.json` → `state/x.events.jsonl` (a ledger path is accepted as it is). */
export function ledgerPathFor(location: string): string {
  return location.endsWith(LEDGER_SUFFIX) ? location : location.replace(/\.json$/, '') + LEDGER_SUFFIX;
}

/** Where the view document of a file store lives: `state/x.json`, beside `state/x.events.jsonl`. */
export function viewPathFor(location: string): string {
  return location.endsWith(LEDGER_SUFFIX) ? `${location.slice(0, -LEDGER_SUFFIX.length)}.json` : location;
}

function storeError(what: string, file: string, e: unknown): ConfigError {
  if (e instanceof ConfigError) return e;
  const code = e instanceof LedgerMovedError ? 'EMOVED' : ((e as NodeJS.ErrnoException).code ?? 'error');
  const fix =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'free disk space and run the command again'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'give this user write access to the store directory, or choose another with --store'
        : code === 'ELOCKED'
          ? `another flipgate is updating this workflow (${(e as Error).message}); wait and retry`
          : code === 'EMOVED'
            ? "another program writes this ledger without flipgate's lock: stop it, then run flipgate audit verify"
            : 'check the store path given by --store';
  const recorded = what.startsWith('append') || what.startsWith('lock') ? '; nothing was recorded' : '';
  return new ConfigError(`cannot ${what} (${code})${recorded}`, { place: { file }, fix });
}

const usable = (e: LedgerEvent | undefined): boolean => !e || (Number.isSafeInteger(e.seq) && typeof e.hash === 'string');

/**
 * The default store: events as JSON Lines appended under a cross-process lock (an append reads only
 * the last line, for `prev`), and the derived view as a lowdb document beside them, written atomically
 * under the same lock.
 */
export class FileStore implements WorkflowStore {
  readonly ledgerFile: string;
  readonly viewFile: string;
  readonly signing: { keyId: string } | undefined;
  private readonly view: Low<ViewDoc | null>;
  private readonly sign: Signer | undefined;
  private readonly viewKey: KeyObject | undefined;
  private readonly lockOptions: LockOptions;
  constructor(
    readonly location: string,
    private readonly workflow: string,
    opts: StoreOptions & { lock?: LockOptions } = {},
  ) {
    this.ledgerFile = ledgerPathFor(location);
    this.viewFile = viewPathFor(location);
    this.view = new Low<ViewDoc | null>(new SharedJsonFile<ViewDoc | null>(this.viewFile), null);
    this.sign = opts.signingKey ? signerFor(opts.signingKey) : undefined;
    this.signing = this.sign ? { keyId: this.sign.keyId } : undefined;
    this.viewKey = opts.verifyKey ?? (opts.signingKey ? publicKeyOf(opts.signingKey) : undefined);
    this.lockOptions = opts.lock ?? {};
  }

  get viewLocation(): string {
    return this.viewFile;
  }

  async readLedger(): Promise<LedgerRead> {
    try {
      return await readJsonLines(this.ledgerFile);
    } catch (e) {
      throw storeError('read the ledger', this.ledgerFile, e);
    }
  }

  async readEvents(): Promise<LedgerEvent[]> {
    return (await this.readLedger()).events;
  }

  async scan(visitor: LedgerVisitor): Promise<void> {
    try {
      await scanJsonLines(this.ledgerFile, visitor);
    } catch (e) {
      throw storeError('read the ledger', this.ledgerFile, e);
    }
  }

  async tail(): Promise<LedgerTail> {
    try {
      return await readTail(this.ledgerFile);
    } catch (e) {
      throw storeError('read the ledger', this.ledgerFile, e);
    }
  }

  async head(): Promise<Head | undefined> {
    const t = await this.tail();
    return t.last && usable(t.last) ? { seq: t.last.seq, hash: t.last.hash } : undefined;
  }

  async hashAt(seq: number): Promise<string | undefined> {
    try {
      return await hashNearEnd(this.ledgerFile, seq);
    } catch (e) {
      throw storeError('read the ledger', this.ledgerFile, e);
    }
  }

  async readView(): Promise<StoredView> {
    await this.tidy();
    this.view.data = null; // lowdb keeps what it held when the file is gone
    try {
      await this.view.read();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return {
        state: 'rejected',
        why: code
          ? `the view ${this.viewFile} cannot be read (${code})`
          : `the view ${this.viewFile} is not JSON: it was damaged or edited`,
      };
    }
    return this.view.data === null ? { state: 'missing' } : openView(this.view.data, this.workflow, this.viewFile, this.viewKey);
  }

  // Temp files and a lock that a killed flipgate left behind: the next command removes them.
  private async tidy(): Promise<void> {
    await sweepTempFiles(path.dirname(this.viewFile));
    await clearDeadLock(this.ledgerFile).catch(() => false);
  }

  async transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.locked(async (write) => {
      const tx: StoreTx = {
        events: () => this.readEvents(),
        append: async (events: NewEvent[]) =>
          events.length ? write((last) => sealEvents(last, this.workflow, events, undefined, this.sign)) : [],
        writeView: async (body) => {
          this.view.data = sealView(this.workflow, body, this.sign);
          await this.view.write();
        },
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
          throw new ConfigError(
            `the events to import start at event ${first.seq} of ${first.workflow}, but this ledger ends at event ${last?.seq ?? 0} of ${this.workflow}`,
            {
              place: { file: this.ledgerFile },
              fix: 'copy into an empty store, or one holding the same ledger up to where the copy starts',
            },
          );
        }
        return events;
      });
    });
  }

  // Runs `fn` under the lock with a writer that seals onto the current last line and appends durably.
  private async locked<T>(
    fn: (write: (seal: (last: LedgerEvent | undefined) => LedgerEvent[]) => Promise<LedgerEvent[]>) => Promise<T>,
  ): Promise<T> {
    const dir = path.dirname(this.ledgerFile);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw storeError('create the store directory', dir, e);
    }
    const lock = await acquireLock(this.ledgerFile, this.lockOptions).catch((e) => {
      throw storeError('lock the ledger', this.ledgerFile, e instanceof LockBusyError ? Object.assign(e, { code: 'ELOCKED' }) : e);
    });
    await sweepTempFiles(dir);
    let tail: { last: LedgerEvent | undefined; offset: number } | undefined;
    const write = async (seal: (last: LedgerEvent | undefined) => LedgerEvent[]): Promise<LedgerEvent[]> => {
      try {
        if (!tail) {
          const t = await readTail(this.ledgerFile);
          if (t.lastDamaged === 'malformed' || !usable(t.last)) {
            throw new ConfigError('the last line of the ledger is not a ledger event; nothing was recorded', {
              place: { file: this.ledgerFile },
              fix: 'run flipgate audit verify to see what is wrong, and restore the ledger from a copy',
            });
          }
          tail = t;
        }
        const sealed = seal(tail.last);
        const text = sealed.map((e) => `${eventText(e)}\n`).join('');
        if (!(await lock.held()))
          throw new ConfigError('the ledger lock was taken over as stale while this command held it; nothing was recorded', {
            place: { file: `${this.ledgerFile}.lock` },
            fix: 'run the command again',
          });
        await appendDurable(this.ledgerFile, text, tail.offset);
        tail = { last: sealed[sealed.length - 1], offset: tail.offset + Buffer.byteLength(text) };
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

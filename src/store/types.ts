/** Why an event happened. */
export type Cause =
  | { kind: 'probe'; checks: string[]; digest: string; evidence?: string[] }
  | { kind: 'approval'; principal: string }
  | { kind: 'waiver'; principal: string }
  | { kind: 'operator'; command: string };

/** One entry of the audit ledger. `hash` = SHA-256 over the canonical JSON of every other field. */
export interface LedgerEvent {
  seq: number;
  time: string;
  workflow: string;
  type: string;
  actor: string;
  cause: Cause;
  /** The GAP, gate or check this event concerns. */
  subject?: string;
  from?: string;
  to?: string;
  data?: Record<string, unknown>;
  prev: string;
  hash: string;
  /** Optional ed25519 signature (base64) over `hash`. */
  sig?: string;
}

export type NewEvent = Omit<LedgerEvent, 'seq' | 'time' | 'workflow' | 'prev' | 'hash' | 'sig'>;

export const GENESIS = '0'.repeat(64);

/** A serialised read-decide-append: nothing else appends between `events()` and `append()`. */
export interface StoreTx {
  events(): Promise<LedgerEvent[]>;
  append(events: NewEvent[]): Promise<LedgerEvent[]>;
}

/** Where a workflow's ledger lives. The file store is the default; Postgres is for teams. */
export interface WorkflowStore {
  readonly location: string;
  readEvents(): Promise<LedgerEvent[]>;
  transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Appends events sealed elsewhere, unchanged (store copy); they must continue this store's chain. */
  importEvents?(events: LedgerEvent[]): Promise<void>;
  /** The last event's seq and hash, read without reading the whole ledger. */
  head?(): Promise<{ seq: number; hash: string } | undefined>;
  /** Whether new events are signed (FLIPGATE_SIGNING_KEY), and with which key. */
  readonly signing?: { keyId: string };
}

/** How a store seals events. */
export interface StoreOptions {
  /** ed25519 private key: every new event carries `sig` over its hash. */
  signingKey?: import('node:crypto').KeyObject;
}

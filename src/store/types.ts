import type { KeyObject } from 'node:crypto';

/** Why an event happened. */
export type Cause =
  | { kind: 'probe'; checks: string[]; digest: string; evidence?: string[] }
  /** A round that saw exactly what round `of` saw (same checks, verdicts and evidence). */
  | { kind: 'repeat'; of: number }
  | { kind: 'approval'; principal: string }
  | { kind: 'waiver'; principal: string }
  | { kind: 'operator'; command: string };

/**
 * One entry of the audit ledger, as the store keeps it. `hash` = SHA-256 over the canonical JSON of
 * every other field but `sig`; the stored line (or row) is the canonical JSON of the whole event.
 * The store is generic over `type` and `data`: the runner gives them their meaning (src/runner/engine/events.ts).
 */
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
  data?: unknown;
  prev: string;
  hash: string;
  /** ed25519 signature (base64) over `hash`, when the store signs. */
  sig?: string;
}

export type NewEvent = Omit<LedgerEvent, 'seq' | 'time' | 'workflow' | 'prev' | 'hash' | 'sig'>;

export const GENESIS = '0'.repeat(64);

/** A ledger's last event, as an append or a view check needs it. */
export interface Head {
  seq: number;
  hash: string;
}

/** A stored line (or row) that is not a ledger event as flipgate writes it. */
export interface DamagedLine {
  /** Where in the ledger's events it stands (the index the next good event takes). */
  index: number;
  /** 1-based line (file) or row (Postgres) number. */
  line: number;
  problem: 'malformed' | 'not-canonical';
  detail: string;
}

/** The whole ledger as stored: the events that parse, and the lines that are damaged. */
export interface LedgerRead {
  events: LedgerEvent[];
  damaged: DamagedLine[];
  /** For each event, its body's hash as recomputed from its stored line while reading (when the line is canonical). */
  hashes?: (string | undefined)[];
}

/** Takes a ledger's entries one by one, in order, as a store reads them (a streamed verify and fold). */
export interface LedgerVisitor {
  /** The next event; `hash` is its body's hash as recomputed from its stored line, when the line is canonical. */
  add(e: LedgerEvent, hash?: string): void;
  /** A stored line that is not an event as flipgate writes it, where it stands. */
  damage(d: DamagedLine): void;
}

/** The end of a ledger, read without reading the rest. */
export interface LedgerTail {
  last: LedgerEvent | undefined;
  /** The last line is not JSON, or not the canonical text of the event it parses to. */
  lastDamaged: DamagedLine['problem'] | undefined;
}

/** The derived view as stored, before it is believed: what it says and whether its seal holds. */
export type StoredView = { state: 'sealed'; body: unknown; keyId?: string } | { state: 'missing' } | { state: 'rejected'; why: string };

/** A serialised read-decide-append: nothing else appends between reading and `append()`. */
export interface StoreTx {
  events(): Promise<LedgerEvent[]>;
  append(events: NewEvent[]): Promise<LedgerEvent[]>;
  /** Replaces the stored view (sealed with the store's key); written under the same lock as appends. */
  writeView(body: unknown): Promise<void>;
}

/** Where a workflow's ledger lives. The file store is the default; Postgres is for teams. */
export interface WorkflowStore {
  readonly location: string;
  /** Where the view is kept, for messages. */
  readonly viewLocation: string;
  readEvents(): Promise<LedgerEvent[]>;
  /** The ledger with its damaged lines (verify needs both). */
  readLedger(): Promise<LedgerRead>;
  /** Reads the whole ledger, handing each entry to `visitor` without keeping it (flat memory on a long ledger). */
  scan(visitor: LedgerVisitor): Promise<void>;
  /** The last event and whether its line is intact. */
  tail(): Promise<LedgerTail>;
  /** The hash of event `seq`, or undefined when the ledger has no such event. */
  hashAt(seq: number): Promise<string | undefined>;
  /** The last event's seq and hash, read without reading the whole ledger. */
  head(): Promise<Head | undefined>;
  readView(): Promise<StoredView>;
  transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** Appends events sealed elsewhere, unchanged (store copy); they must continue this store's chain. */
  importEvents?(events: LedgerEvent[]): Promise<void>;
  /** Whether new events are signed (FLIPGATE_SIGNING_KEY), and with which key. */
  readonly signing?: { keyId: string };
}

/** How a store seals events and its view, and which key it checks the view's seal with. */
export interface StoreOptions {
  /** ed25519 private key: every new event carries `sig` over its hash, and the view is signed. */
  signingKey?: KeyObject;
  /** ed25519 public key the view's signature must verify with (default: the signing key's public half). */
  verifyKey?: KeyObject;
}

import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { canonicalJson, keyId, signatureVerifies, signerFor } from '../support/digest.js';
import type { LedgerEvent } from './types.js';

/**
 * The ledger's head, kept by the operator elsewhere (a checkpoint) or written after every append to a
 * second place (a witness): a chain alone cannot see its last events cut off.
 */
export interface Checkpoint {
  flipgateCheckpoint: 1;
  workflow: string;
  seq: number;
  hash: string;
  /** When the head event was recorded. */
  time: string;
  /** When the checkpoint was taken. */
  created: string;
  /** The signing key's id (see keyId) and its ed25519 signature over every other field. */
  keyId?: string;
  signature?: string;
}

const signedText = (c: Checkpoint): string => {
  const { signature: _s, ...rest } = c;
  return canonicalJson(rest);
};

/** A checkpoint of one head event, signed when a key is given. */
export function checkpointOf(
  head: Pick<LedgerEvent, 'workflow' | 'seq' | 'hash' | 'time'>,
  opts: { key?: KeyObject; now?: Date } = {},
): Checkpoint {
  const cp: Checkpoint = {
    flipgateCheckpoint: 1,
    workflow: head.workflow,
    seq: head.seq,
    hash: head.hash,
    time: head.time,
    created: (opts.now ?? new Date()).toISOString(),
  };
  if (!opts.key) return cp;
  cp.keyId = keyId(opts.key);
  return { ...cp, signature: signerFor(opts.key)(signedText(cp)) };
}

/**
 * The head of `events` as a checkpoint, signed when a key is given.
 * @example
 * const cp = makeCheckpoint(await store.readEvents(), { key: await readSigningKey('ledger-key.pem', '--key') });
 */
export function makeCheckpoint(events: LedgerEvent[], opts: { key?: KeyObject; now?: Date } = {}): Checkpoint {
  const head = events[events.length - 1];
  if (!head) throw new ConfigError('the ledger is empty: there is no head to checkpoint', { fix: 'run flipgate survey or advance first' });
  return checkpointOf(head, opts);
}

/** Whether a checkpoint's signature verifies with `key`. */
export function checkpointVerifies(cp: Checkpoint, key: KeyObject): boolean {
  return !!cp.signature && signatureVerifies(signedText(cp), cp.signature, key);
}

/** Reads a checkpoint's text; names the file (and flag) and the field that is wrong. */
export function parseCheckpoint(text: string, file: string, field = '--checkpoint'): Checkpoint {
  const fix =
    field === '--checkpoint'
      ? 'pass the file written by flipgate audit checkpoint --out'
      : 'restore the witness from a copy, or point --witness elsewhere';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ConfigError('expected a checkpoint (JSON), found text that is not JSON', { place: { file, field }, fix });
  }
  const c = v as Partial<Checkpoint>;
  const bad =
    typeof v !== 'object' || v === null
      ? 'the file'
      : c.flipgateCheckpoint !== 1
        ? 'flipgateCheckpoint'
        : typeof c.workflow !== 'string'
          ? 'workflow'
          : !Number.isSafeInteger(c.seq) || c.seq! < 1
            ? 'seq'
            : typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash)
              ? 'hash'
              : c.signature !== undefined && typeof c.signature !== 'string'
                ? 'signature'
                : undefined;
  if (bad) throw new ConfigError(`not a flipgate checkpoint: ${bad} is missing or wrong`, { place: { file, field }, fix });
  return c as Checkpoint;
}

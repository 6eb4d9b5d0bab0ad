import crypto, { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/*
 * The one place for canonical JSON (RFC 8785), SHA-256 and ed25519 signatures: the ledger's hash
 * chain, its signatures, checkpoints, witness heads, the view's seal, the spec's hash and the
 * approval claims all use these functions.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

function assertNoLoneSurrogate(s: string): void {
  if (!SURROGATE.test(s)) return;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) throw new Error('Lone surrogate is not allowed');
  }
}

function encode(v: unknown, seen: Set<object>): string {
  switch (typeof v) {
    case 'string':
      assertNoLoneSurrogate(v);
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Error(Number.isNaN(v) ? 'NaN is not allowed' : 'Infinity is not allowed');
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      break;
    default:
      return String(JSON.stringify(v));
  }
  if (v === null) return 'null';
  const o = v as Record<string, unknown> & { toJSON?: () => unknown };
  if (seen.has(o)) throw new Error('Circular reference detected');
  seen.add(o);
  let out: string;
  if (typeof o.toJSON === 'function') {
    out = encode(o.toJSON(), seen);
  } else if (Array.isArray(o)) {
    out = '[';
    for (let i = 0; i < o.length; i++) {
      const x = o[i];
      out += (i ? ',' : '') + (x === undefined || typeof x === 'symbol' ? 'null' : encode(x, seen));
    }
    out += ']';
  } else {
    out = '{';
    let first = true;
    for (const key of Object.keys(o).sort()) {
      const x = o[key];
      if (x === undefined || typeof x === 'symbol') continue;
      assertNoLoneSurrogate(key);
      out += `${(first ? '' : ',') + JSON.stringify(key)}:${encode(x, seen)}`;
      first = false;
    }
    out += '}';
  }
  seen.delete(o);
  return out;
}

// True when JSON.stringify already yields the canonical form: keys sorted at every level, only JSON values.
function isCanonicalShape(v: unknown): boolean {
  if (typeof v === 'string') return !SURROGATE.test(v);
  if (typeof v === 'number') return Number.isFinite(v);
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (const x of v) if (x === undefined || !isCanonicalShape(x)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let prev: string | undefined;
  for (const k in v) {
    if ((prev !== undefined && !(prev < k)) || SURROGATE.test(k)) return false;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined || !isCanonicalShape(x)) return false;
    prev = k;
  }
  return true;
}

/**
 * RFC 8785 canonical JSON: keys sorted by UTF-16 code units, no insignificant whitespace, ECMAScript
 * number forms; lone surrogates refused. Values parsed from canonical text take a JSON.stringify fast
 * path, so verifying a long ledger costs little more than reading it.
 * @example
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return isCanonicalShape(value) ? JSON.stringify(value) : encode(value, new Set());
}

// crypto.hash (Node 20.12+) hashes in one call, about twice as fast on short texts: verifying a long ledger is mostly this.
const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer) => string }).hash;

export function sha256(text: string | Buffer): string {
  return oneShot ? oneShot('sha256', text) : createHash('sha256').update(text).digest('hex');
}

// Keys sorted at every level of a value parsed from JSON (the one thing JSON.stringify does not restore).
function keysSorted(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (!keysSorted(x)) return false;
    return true;
  }
  let prev: string | undefined;
  for (const k in v) {
    if (prev !== undefined && !(prev < k)) return false;
    if (!keysSorted((v as Record<string, unknown>)[k])) return false;
    prev = k;
  }
  return true;
}

/**
 * Whether `text` is surely the canonical JSON of `parsed` (the value JSON.parse made of it): no spaces,
 * no duplicate keys, numbers and strings in their one form, keys sorted. Cheaper than canonicalJson;
 * false for an object with integer-like keys, which JavaScript reorders (ask canonicalJson then).
 */
export function isCanonicalText(text: string, parsed: unknown): boolean {
  return JSON.stringify(parsed) === text && keysSorted(parsed);
}

/** SHA-256 of the canonical JSON of a value. */
export function digest(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** Signs text (a ledger hash, a checkpoint, a view's digest) with an ed25519 private key; base64. */
export type Signer = ((text: string) => string) & { keyId: string };

const GENERATE_KEY = 'generate one with: openssl genpkey -algorithm ed25519 -out ledger-key.pem';
const EXPORT_PUBLIC = 'export it with: openssl pkey -in ledger-key.pem -pubout -out ledger-key.pub.pem';

/** A short, stable name for a public key: the first 16 hex digits of SHA-256 over its SPKI DER. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return sha256(pub.export({ type: 'spki', format: 'der' })).slice(0, 16);
}

export function signerFor(key: KeyObject): Signer {
  return Object.assign((text: string) => sign(null, Buffer.from(text), key).toString('base64'), { keyId: keyId(key) });
}

/** The public half of a key (a public key is returned as it is). */
export const publicKeyOf = (key: KeyObject): KeyObject => (key.type === 'private' ? createPublicKey(key) : key);

/** True when `signature` (base64) is `key`'s ed25519 signature over `text`. */
export function signatureVerifies(text: string, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(text), publicKeyOf(key), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

async function readKeyFile(file: string, field: string, what: string, fix: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    throw new ConfigError(`cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      place: { file, field },
      fix: `check the path, or ${fix}`,
    });
  }
}

/** Reads an ed25519 private key (PEM); `field` names the flag or variable it came from. */
export async function readSigningKey(file: string, field: string, fix = GENERATE_KEY): Promise<KeyObject> {
  const pem = await readKeyFile(file, field, 'signing key', fix);
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // reported below
  }
  throw new ConfigError('expected an ed25519 private key in PEM form, found something else', { place: { file, field }, fix });
}

/** Reads an ed25519 public key (PEM); a private key is accepted too and its public half used. */
export async function readVerifyKey(file: string, field: string): Promise<KeyObject> {
  const pem = await readKeyFile(file, field, 'public key', EXPORT_PUBLIC);
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // reported below
  }
  throw new ConfigError('expected an ed25519 public key in PEM form, found something else', { place: { file, field }, fix: EXPORT_PUBLIC });
}

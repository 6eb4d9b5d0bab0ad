import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';

/** Signs a ledger hash (or any canonical text) with an ed25519 private key; base64. */
export type Signer = (text: string) => string;

export const GENERATE_KEY = 'generate one with: openssl genpkey -algorithm ed25519 -out ledger-key.pem';

/** A short, stable name for a public key: the first 16 hex digits of SHA-256 over its SPKI DER. */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function signerFor(key: KeyObject): Signer {
  return (text) => sign(null, Buffer.from(text), key).toString('base64');
}

/** True when `signature` (base64) is `key`'s ed25519 signature over `text`. */
export function signatureVerifies(text: string, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(text), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Reads an ed25519 private key (PEM); `field` names the flag or variable it came from. */
export async function readSigningKey(file: string, field: string): Promise<KeyObject> {
  let pem: Buffer;
  try {
    pem = await readFile(file);
  } catch (e) {
    throw new ConfigError(`cannot read the signing key (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { place: { file, field }, fix: `check the path, or ${GENERATE_KEY}` });
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // reported below
  }
  throw new ConfigError('expected an ed25519 private key in PEM form, found something else', { place: { file, field }, fix: GENERATE_KEY });
}

/** Reads an ed25519 public key (PEM); a private key is accepted too and its public half used. */
export async function readVerifyKey(file: string, field: string): Promise<KeyObject> {
  let pem: Buffer;
  try {
    pem = await readFile(file);
  } catch (e) {
    throw new ConfigError(`cannot read the public key (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { place: { file, field }, fix: 'check the path; export it with: openssl pkey -in ledger-key.pem -pubout -out ledger-key.pub.pem' });
  }
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return key;
  } catch {
    // reported below
  }
  throw new ConfigError('expected an ed25519 public key in PEM form, found something else', { place: { file, field }, fix: 'export it with: openssl pkey -in ledger-key.pem -pubout -out ledger-key.pub.pem' });
}

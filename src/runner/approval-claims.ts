import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { normalizePrincipal } from '../spec/principal.js';
import { canonicalJson, readSigningKey, signatureVerifies, signerFor } from '../support/digest.js';
import type { Session } from './session.js';

/*
 * Approval claims: what an approver's signature covers, and the allowed-signers file that names whose
 * key counts. The signing itself is the one ed25519 code in support/digest.ts.
 */

/** What an approval's signature covers. */
export interface ApprovalClaim {
  workflow: string;
  gap: string;
  head: string;
  signedAt: string;
  principal: string;
}

const b64url = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** An OpenSSH `ssh-ed25519 AAAA…` public key as a node:crypto key. */
export function sshEd25519Key(blobBase64: string): KeyObject {
  const blob = Buffer.from(blobBase64, 'base64');
  const typeLen = blob.readUInt32BE(0);
  const type = blob.subarray(4, 4 + typeLen).toString();
  if (type !== 'ssh-ed25519') throw new Error(`not an ssh-ed25519 key (${type})`);
  const keyLen = blob.readUInt32BE(4 + typeLen);
  const raw = blob.subarray(8 + typeLen, 8 + typeLen + keyLen);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/**
 * Reads an allowed-signers file in OpenSSH's format (`alice,bob [options] ssh-ed25519 AAAA… [comment]`)
 * or with PEM public keys (`alice -----BEGIN PUBLIC KEY-----…` on one line is not supported; use ssh-ed25519).
 */
export function parseAllowedSigners(text: string, file: string): Map<string, KeyObject[]> {
  const out = new Map<string, KeyObject[]>();
  text.split('\n').forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const words = t.split(/\s+/);
    const at = words.indexOf('ssh-ed25519');
    if (at < 1 || !words[at + 1]) {
      throw new ConfigError('expected "principal ssh-ed25519 AAAA…"', { place: { file, line: i + 1 }, fix: 'list one principal (or a comma-separated list) and its ssh-ed25519 public key per line' });
    }
    let key: KeyObject;
    try {
      key = sshEd25519Key(words[at + 1]!);
    } catch {
      throw new ConfigError('the public key cannot be read', { place: { file, line: i + 1 }, fix: 'paste the key from an ssh-ed25519 .pub file' });
    }
    for (const name of words[0]!.split(',')) {
      const p = normalizePrincipal(name, { file, line: i + 1 });
      out.set(p, [...(out.get(p) ?? []), key]);
    }
  });
  return out;
}

export async function loadAllowedSigners(session: Session): Promise<Map<string, KeyObject[]> | undefined> {
  const cfg = session.wf.spec.approvals;
  if (!cfg?.signed || !cfg.allowedSigners) return undefined;
  const file = path.resolve(path.dirname(session.wf.file), cfg.allowedSigners);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError('the allowed-signers file cannot be read', { place: { file, field: 'approvals.allowedSigners' }, fix: 'create it or fix the path (relative to the workflow file)' });
  }
  return parseAllowedSigners(text, file);
}

/** An approver's ed25519 private key (PEM). */
export const readPrivateKey = (file: string): Promise<KeyObject> => readSigningKey(file, '--key', 'generate one with: openssl genpkey -algorithm ed25519 -out approver.pem');

export const signClaim = (claim: ApprovalClaim, key: KeyObject): string => signerFor(key)(canonicalJson(claim));

export function claimVerifies(claim: ApprovalClaim, signature: string, keys: KeyObject[]): boolean {
  const text = canonicalJson(claim);
  return keys.some((k) => signatureVerifies(text, signature, k));
}

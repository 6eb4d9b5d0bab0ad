import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

const canonicalize = canonicalizeModule as unknown as (v: unknown) => string | undefined;

/** RFC 8785 canonical JSON: sorted keys, no insignificant whitespace, ECMAScript number forms. */
export function canonicalJson(value: unknown): string {
  return canonicalize(value) ?? 'null';
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** SHA-256 of the canonical JSON of a value. */
export function digest(value: unknown): string {
  return sha256(canonicalJson(value));
}

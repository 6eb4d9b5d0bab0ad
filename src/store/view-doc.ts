import type { KeyObject } from 'node:crypto';
import { canonicalJson, digest, keyId, type Signer, signatureVerifies } from '../support/digest.js';
import type { StoredView } from './types.js';

/**
 * The stored form of the derived view: its body (what the runner folded from the ledger) and a seal —
 * a digest, and with a signing key an ed25519 signature over it — so that an edited view is named
 * rather than believed.
 */
export interface ViewDoc {
  flipgateView: 1;
  workflow: string;
  body: unknown;
  /** SHA-256 over the canonical JSON of every field above. */
  digest: string;
  keyId?: string;
  signature?: string;
}

// Keys in canonical order at the top, and a body stored in canonical order: checking a seal is then a
// walk and a JSON.stringify, not a sort of every key of a view that can hold a thousand checks.
const sealed = (d: Pick<ViewDoc, 'flipgateView' | 'workflow' | 'body'>) =>
  digest({ body: d.body, flipgateView: d.flipgateView, workflow: d.workflow });

export function sealView(workflow: string, body: unknown, sign?: Signer): ViewDoc {
  const doc: ViewDoc = { flipgateView: 1, workflow, body: JSON.parse(canonicalJson(body)) as unknown, digest: '' };
  doc.digest = sealed(doc);
  return sign ? { ...doc, keyId: sign.keyId, signature: sign(doc.digest) } : doc;
}

/** Checks a stored view's seal; `key` (when signing is configured) must have signed it. */
export function openView(raw: unknown, workflow: string, where: string, key?: KeyObject): StoredView {
  const doc = raw as Partial<ViewDoc> | null;
  if (typeof doc !== 'object' || doc === null || doc.flipgateView !== 1 || typeof doc.digest !== 'string') {
    return { state: 'rejected', why: `the view ${where} is not a flipgate view (written by an older flipgate, or by hand)` };
  }
  if (doc.workflow !== workflow)
    return { state: 'rejected', why: `the view ${where} belongs to workflow ${String(doc.workflow)}, not ${workflow}` };
  let recomputed = '';
  try {
    recomputed = sealed(doc as ViewDoc);
  } catch {
    // not JSON data: reported below
  }
  if (recomputed !== doc.digest)
    return { state: 'rejected', why: `the view ${where} does not match its digest: it was edited after flipgate wrote it` };
  if (key) {
    const id = keyId(key);
    if (typeof doc.signature !== 'string')
      return { state: 'rejected', why: `the view ${where} is not signed, though signing key ${id} is configured` };
    if (!signatureVerifies(doc.digest, doc.signature, key))
      return {
        state: 'rejected',
        why: `the view ${where} carries a signature that does not verify with key ${id}: it was edited and resealed, or signed with another key`,
      };
  }
  return { state: 'sealed', body: doc.body, ...(doc.keyId ? { keyId: doc.keyId } : {}) };
}

import { generateKeyPairSync } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { eventText, hashEvent, parseLine, sealEvents } from '../../src/store/chain.js';
import { canonicalJson, digest, isCanonicalText, signerFor } from '../../src/support/digest.js';

const reference = canonicalize as unknown as (v: unknown) => string | undefined;

const samples: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1.5,
  0.1,
  1e21,
  1e-7,
  5e-324,
  Number.MAX_SAFE_INTEGER,
  123456789.123,
  '',
  'plain',
  'quote " backslash \\ newline \n tab \t',
  'control \u0001 \u001f',
  'é — ✓ 😀',
  '\u2028\u2029',
  [],
  [1, 'two', [3, { four: 4 }], null],
  [undefined, null],
  {},
  { b: 1, a: 2 },
  { '10': 'x', '9': 'y', a: { z: [], y: {} } },
  { é: 1, e: 2, E: 3, '😀': 4, ℵ: 5 },
  { skip: undefined, keep: null, nested: { skip: undefined, d: new Date(0) } },
  {
    seq: 3,
    time: '2026-01-01T00:00:00.000Z',
    cause: { kind: 'probe', checks: ['GAP-1/a'], digest: 'f'.repeat(64), evidence: ['a: pass — 0600'] },
    data: { n: 1.25, list: [true, false] },
  },
];

describe('canonical JSON of ledger events', () => {
  it('is byte for byte what the canonicalize package (RFC 8785) produces, for every kind of value', () => {
    for (const v of samples) expect(canonicalJson(v), JSON.stringify(v) ?? String(v)).toBe(reference(v));
  });

  it('takes the JSON.stringify fast path only where it gives the same text', () => {
    for (const v of samples) {
      if (v === undefined || typeof v === 'function') continue;
      const parsed = JSON.parse(JSON.stringify(v) ?? 'null');
      expect(canonicalJson(parsed)).toBe(reference(parsed));
      expect(canonicalJson(JSON.parse(canonicalJson(parsed)))).toBe(reference(parsed));
    }
  });

  it('refuses lone surrogates, as RFC 8785 does', () => {
    expect(() => canonicalJson('\ud800')).toThrow(/Lone surrogate/);
    expect(() => canonicalJson({ k: 'x\udc00' })).toThrow(/Lone surrogate/);
    expect(() => canonicalJson({ '\ud800': 1 })).toThrow(/Lone surrogate/);
  });

  it('hashes an event exactly as the spec digest does, so ledgers written before stay valid', () => {
    const [e] = sealEvents(undefined, 'wf', [
      {
        type: 'gap.status',
        actor: 'a',
        subject: 'GAP-1',
        from: 'OPEN',
        to: 'CLOSED',
        cause: { kind: 'probe', checks: ['GAP-1/x'], digest: 'd', evidence: ['x: pass — é'] },
        data: { '10': 1, '9': 2 },
      },
    ]);
    const { hash, sig: _s, ...body } = e!;
    expect(hashEvent(body)).toBe(digest(body));
    expect(hash).toBe(digest(body));
    // Read back from an old-style line (JSON.stringify, keys in insertion order) it hashes the same.
    expect(hashEvent(JSON.parse(JSON.stringify(body)))).toBe(hash);
  });
});

describe('reading a stored line', () => {
  it('takes a line for canonical exactly when canonicalJson gives it back, and the quick test never says yes wrongly', () => {
    for (const v of samples) {
      if (v === undefined) continue;
      const text = canonicalJson(v);
      const event = { seq: 1, data: v };
      const line = canonicalJson(event);
      expect(parseLine(line, 1, 0).damage, line).toBeUndefined();
      if (isCanonicalText(text, JSON.parse(text))) expect(canonicalJson(JSON.parse(text))).toBe(text);
      const spaced = JSON.stringify(event, null, 1);
      expect(parseLine(spaced, 1, 0).damage).toMatchObject({ problem: 'not-canonical' });
      expect(isCanonicalText(spaced, JSON.parse(spaced))).toBe(false);
    }
    expect(isCanonicalText('{"b":1,"a":2}', { b: 1, a: 2 })).toBe(false);
    expect(isCanonicalText('{"a":1,"a":2}', JSON.parse('{"a":1,"a":2}'))).toBe(false);
    expect(isCanonicalText('[1.0]', [1])).toBe(false);
  });

  it("recomputes an event's hash from its line, signed or not, as hashEvent does from the event", () => {
    const sign = signerFor(generateKeyPairSync('ed25519').privateKey);
    for (const signer of [undefined, sign]) {
      const sealed = sealEvents(
        undefined,
        'wf',
        [
          {
            type: 'gap.status',
            actor: 'a',
            subject: 'GAP-1',
            from: 'OPEN',
            to: 'CLOSED',
            cause: { kind: 'probe', checks: ['GAP-1/x'], digest: 'd', evidence: ['x: pass — é'] },
            data: { nested: { hash: 'not this one', sig: 'nor this' } },
          },
        ],
        undefined,
        signer,
      );
      const e = sealed[0]!;
      const { hash, sig: _s, ...body } = e;
      expect(parseLine(eventText(e), 1, 0)).toEqual({ event: e, hash: hashEvent(body) });
      expect(hash).toBe(hashEvent(body));
    }
  });
});

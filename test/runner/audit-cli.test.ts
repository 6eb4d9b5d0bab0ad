import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventText, sealEvents } from '../../src/store/chain.js';
import type { LedgerEvent } from '../../src/store/types.js';
import { pgStoreUrl } from '../store/support/stores.js';
import { flipgate } from '../support/cli.js';
import { O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

describe('audit, audit verify, audit checkpoint and store copy from the command line', () => {
  let fx: SeedFixture;
  let keyFile: string;
  let pubFile: string;
  let otherPub: string;
  let ledger: string;
  const at = (store: string) => ['--workflow', O8, '--store', store];
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => flipgate(args, { env: { ...fx.env, ...env } });

  /** A copy of the store (snapshot path) with its ledger rewritten by `edit`. */
  async function tampered(name: string, edit: (lines: string[]) => string[]): Promise<string> {
    const dir = path.join(fx.root, 'tampered', name);
    await mkdir(dir, { recursive: true });
    const lines = (await readFile(ledger, 'utf8')).split('\n').filter(Boolean);
    await writeFile(
      path.join(dir, 'o8.events.jsonl'),
      edit(lines)
        .map((l) => `${l}\n`)
        .join(''),
    );
    return path.join(dir, 'o8.json');
  }

  beforeAll(async () => {
    fx = await setupSeedHost();
    const keys = generateKeyPairSync('ed25519');
    keyFile = path.join(fx.root, 'ledger-key.pem');
    pubFile = path.join(fx.root, 'ledger-key.pub.pem');
    otherPub = path.join(fx.root, 'other.pub.pem');
    await writeFile(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(pubFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(otherPub, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    // Events are signed as they are recorded when FLIPGATE_SIGNING_KEY is set.
    const signing = { FLIPGATE_SIGNING_KEY: keyFile };
    expect((await run(['survey', ...at(fx.storePath), '--root', fx.root, '--as', 'surveyor'], signing)).code).toBe(1);
    expect((await run(['advance', ...at(fx.storePath), '--root', fx.root, '--as', 'operator'], signing)).code).toBe(0);
    ledger = fx.storePath.replace(/\.json$/, '.events.jsonl');
  });
  afterAll(async () => {
    if (fx?.db.kind === 'embedded') await fx.db.admin.query(`DROP SCHEMA IF EXISTS "${fx.db.schema}_copy" CASCADE`).catch(() => undefined);
    await fx?.cleanup();
  });

  it('verify exits 0 on an intact signed ledger and says what it checked', async () => {
    const r = await run(['audit', 'verify', ...at(fx.storePath), '--public-key', pubFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ the ledger of o8-production-readiness verifies: \d+ events, head #\d+/);
    expect(r.stdout).toMatch(/signatures: \d+ checked with key [0-9a-f]{16}, from event 1/);
  });

  it('verify exits 1 naming the first edited event', async () => {
    const store = await tampered('edited', (l) => l.map((x, i) => (i === 2 ? x.replace('"actor":"surveyor"', '"actor":"mallory"') : x)));
    const r = await run(['audit', 'verify', ...at(store), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, problem: { seq: 3, problem: 'edited' } });
    const text = await run(['audit', 'verify', ...at(store)]);
    expect(text.stdout).toMatch(/✗ the ledger of o8-production-readiness does not verify: event 3 — edited: event 3 \(\S+/);
  });

  it('verify catches an appended forgery with recomputed hashes only when given the public key', async () => {
    const store = await tampered('forged', (l) => {
      const last = JSON.parse(l[l.length - 1]!) as LedgerEvent;
      const [forged] = sealEvents(last, last.workflow, [
        {
          type: 'approval.granted',
          actor: 'mallory',
          subject: 'GAP-7',
          cause: { kind: 'approval', principal: 'mallory' },
          data: { head: last.hash },
        },
      ]);
      return [...l, eventText(forged!)];
    });
    expect((await run(['audit', 'verify', ...at(store)])).code).toBe(0);
    const r = await run(['audit', 'verify', ...at(store), '--public-key', pubFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unsigned: event \d+ \(approval\.granted GAP-7\) is not signed/);
    const wrongKey = await run(['audit', 'verify', ...at(fx.storePath)], { FLIPGATE_VERIFY_KEY: otherPub });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stdout).toMatch(/bad-signature: event 1 /);
  });

  it('checkpoint writes the signed head, and verify against it catches a cut-off tail', async () => {
    const cp = path.join(fx.root, 'checkpoint.json');
    const w = await run(['audit', 'checkpoint', ...at(fx.storePath), '--key', keyFile, '--out', cp]);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(
      /checkpoint of o8-production-readiness at event \d+ \([0-9a-f]{12}\) written to .*, signed with key [0-9a-f]{16}/,
    );
    const checkpoint = JSON.parse(await readFile(cp, 'utf8'));
    const events = (await readFile(ledger, 'utf8')).split('\n').filter(Boolean);
    expect(checkpoint).toMatchObject({
      flipgateCheckpoint: 1,
      workflow: 'o8-production-readiness',
      seq: events.length,
      hash: JSON.parse(events[events.length - 1]!).hash,
      signature: expect.any(String),
    });
    expect((await run(['audit', 'verify', ...at(fx.storePath), '--checkpoint', cp, '--public-key', pubFile])).code).toBe(0);
    const cut = await tampered('cut', (l) => l.slice(0, -2));
    const r = await run(['audit', 'verify', ...at(cut), '--checkpoint', cp, '--public-key', pubFile]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`truncated: the ledger ends at event ${events.length - 2}, but the checkpoint of .* records event ${events.length}`),
    );
  });

  it('checkpoint refuses (exit 1) a ledger that does not verify', async () => {
    const store = await tampered('for-checkpoint', (l) => [l[0]!, l[2]!, ...l.slice(3)]);
    const r = await run(['audit', 'checkpoint', ...at(store)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused: no checkpoint of a ledger that does not verify: event 3/);
  });

  it('audit GAP-1 says who or what closed it, through which checks, with the evidence', async () => {
    const r = await run(['audit', 'GAP-1', ...at(fx.storePath)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /GAP-1 CLOSED\n {2}closed {3}#\d+ \S+ by surveyor \(survey round\): UNKNOWN → CLOSED\n {11}through GAP-1\/\S+, GAP-1\/\S+\n {11}✓ /,
    );
    const json = JSON.parse((await run(['audit', 'GAP-1', ...at(fx.storePath), '--json'])).stdout);
    expect(json).toMatchObject({
      schemaVersion: 1,
      workflow: 'o8-production-readiness',
      filter: { subject: 'GAP-1' },
      verification: { ok: true },
    });
    expect(json.gaps[0].closedBy.checks.every((c: { status: string }) => c.status === 'pass')).toBe(true);
  });

  it('audit exits 1 on a ledger that does not verify, and 2 on a subject that is neither a GAP nor a gate', async () => {
    const store = await tampered('audit-broken', (l) => l.slice(1));
    expect((await run(['audit', ...at(store)])).code).toBe(1);
    const r = await run(['audit', 'GAP-99', ...at(fx.storePath)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/subject: "GAP-99" is neither a GAP nor a gate of o8-production-readiness — use one of G1, G2, .*GAP-1, /);
  });

  it('names a key file that is not an ed25519 key, and how to make one (exit 2)', async () => {
    const bad = path.join(fx.root, 'not-a-key.pem');
    await writeFile(bad, 'hello\n');
    const r = await run(['audit', 'checkpoint', ...at(fx.storePath), '--key', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${bad}: --key: expected an ed25519 private key in PEM form, found something else — generate one with: openssl genpkey -algorithm ed25519`,
    );
  });

  it('store copy moves the ledger to Postgres unchanged, verifies it there, and resumes without duplicating', async () => {
    const url = pgStoreUrl(fx.db, 'copy');
    const first = await run(['store', 'copy', '--from', fx.storePath, '--to', url]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const n = (await readFile(ledger, 'utf8')).split('\n').filter(Boolean).length;
    expect(first.stdout).toMatch(new RegExp(`✓ copied ${n} events of o8-production-readiness from .* to postgres://`));
    expect(first.stdout).toMatch(/at arrival: ✓ the ledger of o8-production-readiness verifies/);
    const there = await run(['audit', 'verify', ...at(url), '--public-key', pubFile, '--json']);
    expect(there.code).toBe(0);
    expect(JSON.parse(there.stdout)).toMatchObject({ ok: true, events: n, signatures: { checked: true, signed: n } });
    const again = await run(['store', 'copy', '--from', fx.storePath, '--to', url, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, copied: 0, alreadyThere: n });
    // Back from Postgres into a fresh file store: the same bytes' worth of events.
    const back = path.join(fx.root, 'back', 'o8.json');
    expect((await run(['store', 'copy', '--from', url, '--to', back])).code).toBe(0);
    const a = (await readFile(ledger, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).hash);
    const b = (await readFile(back.replace(/\.json$/, '.events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l).hash);
    expect(b).toEqual(a);
  });

  it('store copy refuses (exit 1) a source that does not verify, copying nothing', async () => {
    const store = await tampered('copy-broken', (l) =>
      l.map((x, i) => (i === 1 ? x.replace('"actor":"surveyor"', '"actor":"mallory"') : x)),
    );
    const dest = path.join(fx.root, 'never', 'o8.json');
    const r = await run(['store', 'copy', '--from', store, '--to', dest]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ the source does not verify, so nothing was copied: event 2 /);
    await expect(copyFile(dest.replace(/\.json$/, '.events.jsonl'), '/dev/null')).rejects.toThrow(/ENOENT/);
  });
});

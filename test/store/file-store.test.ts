import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFile, chmod, lutimes, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { FileStore } from '../../src/store/file-store.js';
import { acquireLock } from '../../src/store/lock.js';
import type { NewEvent } from '../../src/store/types.js';
import { verifyLedger } from '../../src/store/verify.js';
import { tempStore } from './support/stores.js';
import { writerScript } from './support/writer.js';

const ev = (data: Record<string, unknown> = {}): NewEvent => ({
  type: 'test.write',
  actor: 'tester',
  cause: { kind: 'operator', command: 'test' },
  data,
});
const mode = async (f: string) => (await stat(f)).mode & 0o777;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function fresh() {
  const s = await tempStore();
  cleanup = s.cleanup;
  return { ...s, store: new FileStore(s.location, 'wf') };
}

// An append and a view write, as every command that records does.
const record = (store: FileStore, data: Record<string, unknown> = {}) =>
  store.transact(async (tx) => {
    const appended = await tx.append([ev(data)]);
    await tx.writeView({ head: appended[0]!.seq });
    return appended;
  });

describe('the file store on disk', () => {
  it('creates the ledger and the view 0600 in a 0700 directory, and appends keep them so', async () => {
    const { store, ledger, location, dir } = await fresh();
    for (let i = 0; i < 5; i++) await record(store, { i });
    expect(await mode(ledger)).toBe(0o600);
    expect(await mode(location)).toBe(0o600);
    expect(await mode(path.join(dir, 'state'))).toBe(0o700);
  });

  it("keeps an operator's chmod of both files across later writes (a rename-based save does not reset it)", async () => {
    const { store, ledger, location } = await fresh();
    await record(store);
    await chmod(ledger, 0o640);
    await chmod(location, 0o640);
    await record(store);
    expect(await mode(ledger)).toBe(0o640);
    expect(await mode(location)).toBe(0o640);
  });

  it('keeps the view as a sealed lowdb document beside the ledger, and names one edited by hand instead of handing it out', async () => {
    const { store, location } = await fresh();
    await record(store);
    await record(store);
    expect(await store.readView()).toEqual({ state: 'sealed', body: { head: 2 } });
    const doc = JSON.parse(await readFile(location, 'utf8'));
    expect(doc).toMatchObject({ flipgateView: 1, workflow: 'wf', body: { head: 2 }, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await writeFile(location, JSON.stringify({ ...doc, body: { head: 99 } }));
    expect(await store.readView()).toEqual({
      state: 'rejected',
      why: `the view ${location} does not match its digest: it was edited after flipgate wrote it`,
    });
    await writeFile(location, '{ not json');
    expect(await store.readView()).toEqual({ state: 'rejected', why: `the view ${location} is not JSON: it was damaged or edited` });
  });

  it('signs the view with the signing key, and refuses one resealed without it', async () => {
    const { ledger, location } = await fresh();
    const signer = generateKeyPairSync('ed25519');
    const signed = new FileStore(ledger, 'wf', { signingKey: signer.privateKey });
    await record(signed);
    expect(await signed.readView()).toMatchObject({ state: 'sealed', keyId: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // Someone with write access but without the key edits the body and recomputes the digest.
    const unsigned = new FileStore(ledger, 'wf');
    await unsigned.transact((tx) => tx.writeView({ head: 99 }));
    expect((await signed.readView()).state).toBe('rejected');
    expect(await signed.readView()).toMatchObject({
      why: expect.stringMatching(new RegExp(`the view ${location} is not signed, though signing key [0-9a-f]{16} is configured`)),
    });
  });

  it('sets aside a torn last line (a crash mid-append), and the next append replaces it', async () => {
    const { store, ledger } = await fresh();
    await store.transact((tx) => tx.append([ev(), ev()]));
    const whole = await readFile(ledger, 'utf8');
    await appendFile(ledger, whole.split('\n')[1]!.slice(0, 40));
    expect(await store.readEvents()).toHaveLength(2);
    await store.transact((tx) => tx.append([ev({ after: true })]));
    const events = await store.readEvents();
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(verifyLedger(events).problem).toBeUndefined();
    expect((await readFile(ledger, 'utf8')).startsWith(whole)).toBe(true);
  });

  it('refuses to append after a last line that is not an event, naming the file and audit verify', async () => {
    const { store, ledger } = await fresh();
    await store.transact((tx) => tx.append([ev()]));
    await appendFile(ledger, 'not json\n');
    const before = await readFile(ledger, 'utf8');
    const err = await store.transact((tx) => tx.append([ev()])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(ledger);
    expect((err as Error).message).toMatch(/audit verify/);
    expect(await readFile(ledger, 'utf8')).toBe(before);
  });

  it('finds the last event when it is longer than one read chunk', async () => {
    const { store } = await fresh();
    await store.transact((tx) => tx.append([ev({ big: 'x'.repeat(300_000) })]));
    await store.transact((tx) => tx.append([ev()]));
    const events = await store.readEvents();
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(verifyLedger(events).problem).toBeUndefined();
    expect(await store.head()).toEqual({ seq: 2, hash: events[1]!.hash });
    expect(await store.hashAt(1)).toBe(events[0]!.hash);
  });

  it('leaves the ledger byte for byte as it was when a write fails part-way (file size limit reached)', async () => {
    const { store, ledger, location } = await fresh();
    await store.transact((tx) => tx.append([ev()]));
    // Pad the ledger to 100 bytes under a 2 KiB limit: the writer's next event cannot fit.
    const s0 = (await stat(ledger)).size;
    await store.transact((tx) => tx.append([ev({ pad: '' })]));
    const s1 = (await stat(ledger)).size;
    await store.transact((tx) => tx.append([ev({ pad: 'p'.repeat(2048 - 100 - s1 - (s1 - s0)) })]));
    const before = await readFile(ledger);
    expect(before.length).toBeLessThan(2048);
    const script = await writerScript();
    const child = spawn('bash', ['-c', `ulimit -f 2; exec "${process.execPath}" "${script}" "${location}" wf 1 limited`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/cannot append to the ledger \(EFBIG\); nothing was recorded/);
    expect(await readFile(ledger)).toEqual(before);
    expect(verifyLedger(await store.readEvents()).problem).toBeUndefined();
  });
});

describe('the ledger lock', () => {
  const deadPid = async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('close', r));
    return child.pid!;
  };

  it('takes over at once a lock left by a process that was killed', async () => {
    const { store, ledger } = await fresh();
    await mkdir(path.dirname(ledger), { recursive: true });
    await symlink(`flipgate-lock:${await deadPid()}:abc:${hostname()}`, `${ledger}.lock`);
    const t0 = Date.now();
    await store.transact((tx) => tx.append([ev()]));
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await store.readEvents()).toHaveLength(1);
    expect(await readdir(path.dirname(ledger))).not.toContain('wf.events.jsonl.lock');
  });

  it('waits for a live lock from another host, and names its holder when it gives up', async () => {
    const { ledger } = await fresh();
    await mkdir(path.dirname(ledger), { recursive: true });
    await writeFile(ledger, '');
    await symlink(`flipgate-lock:4242:abc:build-host-7`, `${ledger}.lock`);
    const err = await acquireLock(ledger, { timeoutMs: 300 }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/held by pid 4242 on build-host-7/);
  });

  it('takes over a lock from another host once it has not been refreshed for the stale time', async () => {
    const { ledger } = await fresh();
    await mkdir(path.dirname(ledger), { recursive: true });
    await writeFile(ledger, '');
    await symlink(`flipgate-lock:4242:abc:build-host-7`, `${ledger}.lock`);
    const old = new Date(Date.now() - 60_000);
    await lutimes(`${ledger}.lock`, old, old);
    const lock = await acquireLock(ledger, { staleMs: 30_000, timeoutMs: 1_000 });
    expect(await lock.held()).toBe(true);
    await lock.release();
  });

  it('is removed, with the temp files of killed writers, by the next command that reads the view (status)', async () => {
    const { store, ledger, dir } = await fresh();
    await record(store);
    const state = path.join(dir, 'state');
    const host = hostname().replace(/[^A-Za-z0-9-]/g, '_');
    const dead = await deadPid();
    await symlink(`flipgate-lock:${dead}:abc:${hostname()}`, `${ledger}.lock`);
    const left = [
      `.wf.json.${host}.${dead}.0123abcd.tmp`,
      `.wf.json.${host}.${process.pid}.4567cdef.tmp`,
      `.wf.json.other-host.${dead}.89abcdef.tmp`,
    ];
    for (const f of left) await writeFile(path.join(state, f), '{');
    expect((await store.readView()).state).toBe('sealed');
    // Ours and dead: gone. A live writer's (this process) and another host's young one: kept.
    expect((await readdir(state)).sort()).toEqual([left[1], left[2], 'wf.events.jsonl', 'wf.json'].sort());
  });

  it('serialises two holders in one process', async () => {
    const { ledger } = await fresh();
    await mkdir(path.dirname(ledger), { recursive: true });
    await writeFile(ledger, '');
    const order: string[] = [];
    const a = await acquireLock(ledger);
    const b = acquireLock(ledger).then((l) => {
      order.push('b');
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    order.push('a releases');
    await a.release();
    await (await b).release();
    expect(order).toEqual(['a releases', 'b']);
  });
});

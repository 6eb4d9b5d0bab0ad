import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe } from 'vitest';
import { approveGap } from '../../../src/runner/actions/signoffs.js';
import { advanceWorkflow } from '../../../src/runner/actions/survey-advance.js';
import { openSession, type Session, type SessionOptions } from '../../../src/runner/engine/session.js';
import { hashEvent } from '../../../src/store/chain.js';
import { FileStore } from '../../../src/store/file-store.js';
import { openStore } from '../../../src/store/open.js';
import type { LedgerEvent, WorkflowStore } from '../../../src/store/types.js';
import { openWitness, type Witness } from '../../../src/store/witness.js';
import { signerFor } from '../../../src/support/digest.js';
import { realServer } from '../../support/pg.js';
import { o8WithWaivers, type SeedFixture, setupSeedHost } from '../../support/seed.js';
import { pgStoreUrl } from './stores.js';
import { type Rewrite, rewriteFile, rewriteTable } from './tamper.js';

export type BackendName = 'file' | 'Postgres';
export const backendNames: BackendName[] = ['file', 'Postgres'];

/** Why a workflow with its ledger on Postgres needs a real server in the tests. */
export const seededPostgresReason =
  "needs a real Postgres server (set PGHOST or DATABASE_URL): on the embedded PGlite the store's open transaction and the probes' queries would share its one session";

/** One describe block per backend; the Postgres one is skipped, with the reason, without a real server. */
export function eachBackend(title: string, body: (backend: BackendName) => void): void {
  for (const backend of backendNames) {
    const skip = backend === 'Postgres' && !realServer();
    describe.skipIf(skip)(`${title} on the ${backend} store${skip ? ` (${seededPostgresReason})` : ''}`, () => body(backend));
  }
}

export interface SeededWorkflow {
  fx: SeedFixture;
  backend: BackendName;
  store: WorkflowStore;
  /** The --store value that names this store on the command line. */
  location: string;
  keys: { privateKey: KeyObject; publicKey: KeyObject };
  /** PEM files of the keys, for the CLI (FLIPGATE_SIGNING_KEY, --public-key). */
  keyFile: string;
  pubFile: string;
  witness: Witness | undefined;
  /** The --witness value that names the witness on the command line. */
  witnessLocation: string | undefined;
  /** A session as `actor` on this store, signing when the workflow is signed. */
  session(actor: string, extra?: Partial<SessionOptions>): Session;
  /** Rewrites the stored ledger as someone with write access to its storage would (the table owner: triggers off). */
  rewrite: Rewrite;
  /** Removes the stored view, as someone covering their tracks would. */
  dropView(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * The O8 seed-state host with its ledger on the chosen backend; signed (FLIPGATE_SIGNING_KEY) when
 * `signed`, with a witness when `witness` names where it is kept.
 */
export async function seededWorkflow(
  backend: BackendName,
  opts: { signed?: boolean; witness?: 'file' | 'postgres' } = {},
): Promise<SeededWorkflow> {
  const fx = await setupSeedHost({ edit: o8WithWaivers(['cto']) });
  const keys = generateKeyPairSync('ed25519');
  const keyFile = path.join(fx.root, 'ledger-key.pem');
  const pubFile = path.join(fx.root, 'ledger-key.pub.pem');
  await writeFile(keyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await writeFile(pubFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  const signingKey = opts.signed ? keys.privateKey : undefined;
  const id = fx.wf.spec.id;
  const url = pgStoreUrl(fx.db, 'ledger');
  const schema = new URL(url).searchParams.get('schema')!;
  const store = backend === 'file' ? new FileStore(fx.storePath, id, { signingKey }) : await openStore(url, id, { signingKey, env: {} });
  const witnessUrl = pgStoreUrl(fx.db, 'witness');
  const witnessLocation =
    opts.witness === 'file' ? path.join(fx.root, 'elsewhere', 'o8.head.json') : opts.witness === 'postgres' ? witnessUrl : undefined;
  const witness = witnessLocation ? openWitness(witnessLocation) : undefined;
  if (opts.witness === 'file') await mkdir(path.join(fx.root, 'elsewhere'), { recursive: true });
  const sessions: Session[] = [];
  return {
    fx,
    backend,
    store,
    location: backend === 'file' ? fx.storePath : url,
    keys,
    keyFile,
    pubFile,
    witness,
    witnessLocation,
    session(actor, extra = {}) {
      const s = openSession({
        workflow: fx.wf,
        store,
        actor,
        root: fx.root,
        env: fx.env,
        timeoutMs: 15_000,
        signingKey,
        witness,
        ...extra,
      });
      sessions.push(s);
      return s;
    },
    rewrite: backend === 'file' ? rewriteFile((store as FileStore).ledgerFile) : rewriteTable(fx.db.admin, schema, id),
    dropView:
      backend === 'file'
        ? () => rm((store as FileStore).viewFile, { force: true })
        : async () => void (await fx.db.admin.query(`DELETE FROM "${schema}".views`)),
    async cleanup() {
      for (const s of sessions) await s.close();
      await witness?.close();
      await store.close();
      if (fx.db.kind === 'embedded') {
        for (const s of [schema, new URL(witnessUrl).searchParams.get('schema')!])
          await fx.db.admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
      }
      await fx.cleanup();
    },
  };
}

/** Provisions the host side of every GAP and records the sign-offs but GAP-7's, which `gap7` names. */
export async function provisionAll(w: SeededWorkflow, gap7: string[] = ['alice', 'bob']): Promise<void> {
  for (const g of ['GAP-3', 'GAP-5', 'GAP-6', 'GAP-9'] as const) await w.fx.host.provision(g);
  await approveGap(w.session('dq4-board'), 'GAP-4');
  await approveGap(w.session('release-manager'), 'GAP-8');
  for (const p of gap7) await approveGap(w.session(p), 'GAP-7');
}

/** Advances until the workflow stops moving; returns the last outcome. */
export async function advanceAll(session: Session) {
  let r = await advanceWorkflow(session);
  while (r.outcome === 'advanced') r = await advanceWorkflow(session);
  return r;
}

/**
 * Re-seals events from index `from` on, as a forger who can write the storage would: every hash
 * recomputed; signatures dropped (or made with `key`).
 */
export function reseal(events: LedgerEvent[], from = 0, key?: KeyObject): LedgerEvent[] {
  const out = events.slice(0, from);
  for (const e of events.slice(from)) {
    const { hash: _h, sig: _s, ...rest } = e;
    const body = { ...rest, seq: out.length + 1, prev: out[out.length - 1]?.hash ?? '0'.repeat(64) };
    const hash = hashEvent(body);
    out.push({ ...body, hash, ...(key ? { sig: signerFor(key)(hash) } : {}) });
  }
  return out;
}

/** An approval as flipgate records one, for a forger to insert. */
export function forgedApproval(like: LedgerEvent, principal: string, gap: string): LedgerEvent {
  return {
    ...like,
    type: 'approval.granted',
    actor: principal,
    subject: gap,
    cause: { kind: 'approval', principal },
    from: undefined,
    to: undefined,
    data: { head: like.prev, headSeq: like.seq - 1, specHash: undefined },
  } as LedgerEvent;
}

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { watchOnce } from '../../src/runner/actions/watch.js';
import { copyLedger } from '../../src/store/copy.js';
import { openStore } from '../../src/store/open.js';
import { advanceAll, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';
import { pgStoreUrl } from './support/stores.js';

const SECRET = 'Pl4nted-Ledger-S3cret-7c1d';
const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(SECRET).toString('hex'), encodeURIComponent(SECRET)];

describe('the stores after a whole workflow on a host with planted secrets', () => {
  let fx: SeedFixture;
  let url: string;
  beforeAll(async () => {
    fx = await setupSeedHost({ secret: SECRET });
    await runSurvey(fx.session('surveyor'));
    await provisionEverything(fx);
    expect((await advanceAll(fx.session('operator'))).outcome).toBe('armed');
    expect((await flipWorkflow(fx.session('carol'), { execute: true })).outcome).toBe('flipped');
    await watchOnce(fx.session('watcher'));
    await disableWorkflow(fx.session('carol'), 'end of test');
    url = pgStoreUrl(fx.db, 'ledger');
    const to = await openStore(url, fx.wf.spec.id, { env: {} });
    try {
      expect((await copyLedger(fx.store, to)).ok).toBe(true);
    } finally {
      await to.close();
    }
  });
  afterAll(async () => {
    if (fx?.db.kind === 'embedded')
      await fx.db.admin.query(`DROP SCHEMA IF EXISTS "${fx.db.schema}_ledger" CASCADE`).catch(() => undefined);
    await fx?.cleanup();
  });

  it('never holds a planted secret in any file of the file store (plain, base64, hex or URL-encoded)', async () => {
    const dir = path.dirname(fx.storePath);
    const files = await readdir(dir);
    expect(files).toEqual(
      expect.arrayContaining([path.basename(fx.storePath), path.basename(fx.storePath).replace(/\.json$/, '.events.jsonl')]),
    );
    for (const f of files) {
      const text = await readFile(path.join(dir, f), 'utf8');
      for (const form of forms) expect(text.includes(form), `${f} holds ${form}`).toBe(false);
    }
    // The host does hold it, so the check above looked for something real.
    expect(await readFile(path.join(fx.root, 'opt/incomex/docker/.env'), 'utf8')).toContain(SECRET);
  });

  it('never holds a planted secret in the Postgres store, in any column', async () => {
    const schema = new URL(url).searchParams.get('schema')!;
    const rows = await fx.db.admin.query(`SELECT e::text AS row FROM "${schema}".events e`);
    expect(rows.rows.length).toBe((await fx.store.readEvents()).length);
    for (const { row } of rows.rows as { row: string }[]) for (const form of forms) expect(row.includes(form)).toBe(false);
  });
});

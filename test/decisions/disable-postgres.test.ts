import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { approveGap } from '../../src/runner/actions/signoffs.js';
import { openStore } from '../../src/store/open.js';
import type { WorkflowStore } from '../../src/store/types.js';
import { pgStoreUrl } from '../store/support/stores.js';
import { flipgate } from '../support/cli.js';
import { noServerReason, realServer } from '../support/pg.js';
import { advanceAll, type SeedFixture, setupSeedHost } from '../support/seed.js';

// On a Postgres store held by another command's advisory lock, disable still turns execution off at
// once; its record waits in the state folder's journal until a command can write the store.
describe.skipIf(!realServer())(`disable on a Postgres store locked by another session (${noServerReason})`, () => {
  let fx: SeedFixture;
  let store: WorkflowStore | undefined;
  afterEach(async () => {
    await store?.close();
    await fx.cleanup();
  });

  it('turns execution off, exits 1 naming what it could not record, and the next command appends it', async () => {
    fx = await setupSeedHost();
    const url = pgStoreUrl(fx.db, 'decisions');
    store = await openStore(url, fx.wf.spec.id);
    const as = (actor: string) => fx.session(actor, { store });
    for (const g of ['GAP-3', 'GAP-5', 'GAP-6', 'GAP-9'] as const) await fx.host.provision(g);
    for (const [p, gap] of [
      ['dq4-board', 'GAP-4'],
      ['release-manager', 'GAP-8'],
      ['alice', 'GAP-7'],
      ['bob', 'GAP-7'],
    ] as const)
      await approveGap(as(p), gap);
    expect((await advanceAll(as('operator'))).outcome).toBe('armed');
    expect((await flipWorkflow(as('carol'), { execute: true })).outcome).toBe('flipped');
    const switchText = () => readFile(path.join(fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');

    const holder = new pg.Client({ connectionString: new URL(url).toString().replace(/\?.*$/, '') });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`flipgate:decisions:${fx.wf.spec.id}`]);
    const args = ['--workflow', fx.workflowFile, '--store', url, '--root', fx.root];
    let off: Awaited<ReturnType<typeof flipgate>>;
    try {
      off = await flipgate(['disable', '--reason', 'incident', '--as', 'oncall', ...args], {
        env: { ...fx.env, FLIPGATE_DISABLE_RECORD_WAIT_MS: '1500' },
        cwd: fx.root,
      });
      expect(await switchText()).toMatch(/= False/);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/the disable ran but was NOT recorded: the store is busy/);
    const journal = path.join(fx.root, 'state', `${fx.wf.spec.id}.journal.jsonl`);
    expect(JSON.parse((await readFile(journal, 'utf8')).trim())).toMatchObject({ actor: 'oncall', reading: 'safe' });

    const next = await flipgate(['survey', '--as', 'auditor', ...args], { env: fx.env, cwd: fx.root });
    expect(next.stderr).toMatch(/1 disable\(s\) that could not be recorded when they ran are appended/);
    const events = await store.readEvents();
    expect(events.find((e) => e.type === 'disable.requested')).toMatchObject({
      actor: 'oncall',
      data: { journaled: { problem: expect.stringMatching(/busy/) } },
    });
    expect(events.findLast((e) => e.type === 'transition')!.to).toBe('halted');
  });
});

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Refusal } from '../../src/errors.js';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { revokeApproval } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { checkpointVerifies, makeCheckpoint } from '../../src/store/checkpoint.js';
import type { LedgerEvent } from '../../src/store/types.js';
import { flipgate } from '../support/cli.js';
import { O8 } from '../support/seed.js';
import { advanceAll, eachBackend, provisionAll, reseal, type SeededWorkflow, seededWorkflow } from './support/seeded.js';

const switchText = (w: SeededWorkflow) => readFile(path.join(w.fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');

/** Armed with alice's and bob's approvals of GAP-7, then bob revokes his: the ledger an attacker wants to cut back. */
async function armedThenRevoked(w: SeededWorkflow): Promise<{ before: LedgerEvent[]; after: LedgerEvent[] }> {
  await provisionAll(w);
  expect((await advanceAll(w.session('operator'))).outcome).toBe('armed');
  const before = await w.store.readEvents();
  await revokeApproval(w.session('bob'), 'GAP-7');
  return { before, after: await w.store.readEvents() };
}

const ledgerGuard = (r: Awaited<ReturnType<typeof flipWorkflow>>) => r.guards.find((g) => g.guard === 'the ledger verifies')!;

eachBackend('cutting the tail off the ledger', (backend) => {
  let w: SeededWorkflow;
  afterEach(async () => w?.cleanup());

  it('is named as truncated against the view beside it: the flip, status, survey and audit verify all refuse it', async () => {
    w = await seededWorkflow(backend);
    const { before, after } = await armedThenRevoked(w);
    // Undo the revocation by cutting it off.
    await w.rewrite(before);

    const flip = await flipWorkflow(w.session('carol'), { execute: true });
    expect(flip.outcome).toBe('refused');
    expect(ledgerGuard(flip)).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(
        new RegExp(
          `^truncated at event ${before.length + 1}: the ledger ends at event ${before.length}, but the view .* records event ${after.length}`,
        ),
      ),
    });
    expect(await switchText(w)).toMatch(/= False/);
    // The refused flip recorded nothing on top of the cut ledger.
    expect(await w.store.readEvents()).toHaveLength(before.length);

    const status = await readStatus(w.session('auditor'));
    expect(status.view).toMatchObject({ source: 'rebuilt', problem: { problem: 'truncated' } });
    await expect(runSurvey(w.session('surveyor'))).rejects.toThrow(Refusal);
    await expect(runSurvey(w.session('surveyor'))).rejects.toThrow(/does not verify: event \d+ — truncated/);

    const cli = await flipgate(['audit', 'verify', '--workflow', O8, '--store', w.location], { env: w.fx.env });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/truncated: the ledger ends at event \d+, but the view .* records event \d+/);
  });

  it('keeps being named after a disable records on top of it: the view does not move on', async () => {
    w = await seededWorkflow(backend);
    const { before } = await armedThenRevoked(w);
    await w.rewrite(before);
    const notes: string[] = [];
    const off = await disableWorkflow(w.session('carol', { onNote: (n) => notes.push(n) }), 'suspicious ledger');
    expect(off.safe).toBe(true);
    expect(notes.join('\n')).toMatch(/does not verify .*truncated.*recording anyway/);
    const flip = await flipWorkflow(w.session('carol'), { execute: true });
    // The disable's own events now stand where the cut ones stood: the ledger diverges from the view.
    expect(ledgerGuard(flip)).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(/^(truncated|diverged) at event \d+: .*the view/),
    });
  });

  it.each(['file', 'postgres'] as const)('is caught by a signed witness (%s) even when the view is removed as well', async (kind) => {
    w = await seededWorkflow(backend, { signed: true, witness: kind });
    const { before, after } = await armedThenRevoked(w);
    const held = await w.witness!.read(w.fx.wf.spec.id);
    expect(held).toMatchObject({ seq: after.length, hash: after[after.length - 1]!.hash });
    expect(checkpointVerifies(held!, w.keys.publicKey)).toBe(true);

    await w.rewrite(before);
    await w.dropView();
    const flip = await flipWorkflow(w.session('carol'), { execute: true });
    expect(flip.outcome).toBe('refused');
    expect(ledgerGuard(flip).evidence).toMatch(
      new RegExp(
        `^truncated at event \\d+: the ledger ends at event ${before.length}, but the witness at ${w.witness!.location.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .* records event ${after.length}`,
      ),
    );
    await expect(runSurvey(w.session('surveyor'))).rejects.toThrow(/truncated/);
    // Nothing that ran since moved the witness back.
    expect(await w.witness!.read(w.fx.wf.spec.id)).toMatchObject({ seq: after.length });

    const cli = await flipgate(
      ['audit', 'verify', '--workflow', O8, '--store', w.location, '--witness', w.witnessLocation!, '--public-key', w.pubFile],
      { env: w.fx.env },
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/truncated: the ledger ends at event \d+, but the witness at .* records event \d+/);
  });

  it('is caught by a witness that the tail was rewritten (diverged), with recomputed hashes', async () => {
    w = await seededWorkflow(backend, { witness: 'file' });
    const { before, after } = await armedThenRevoked(w);
    // Replace the revocation by an event of the same length that says something else.
    const rewritten = reseal(
      [...before, { ...after[after.length - 1]!, type: 'approval.granted', data: { head: 'x', headSeq: 0 } }],
      before.length,
    );
    await w.rewrite(rewritten);
    await w.dropView();
    const flip = await flipWorkflow(w.session('carol'), { execute: true });
    expect(ledgerGuard(flip)).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(new RegExp(`^diverged at event ${after.length}: .* differs from the witness`)),
    });
  });

  it('is caught by a checkpoint given to the flip, where nothing else remains', async () => {
    w = await seededWorkflow(backend, { signed: true });
    const { before, after } = await armedThenRevoked(w);
    const checkpoint = makeCheckpoint(after, { key: w.keys.privateKey });
    await w.rewrite(before);
    await w.dropView();
    const refused = await flipWorkflow(w.session('carol'), { execute: false, vouch: { checkpoint } });
    expect(ledgerGuard(refused)).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(/^truncated at event \d+: the ledger ends at event \d+, but the checkpoint of .* records event \d+/),
    });
    // The limit, stated: with no view, no witness and no checkpoint, a cut-off tail is a shorter valid chain.
    await w.dropView();
    const blind = await flipWorkflow(w.session('carol'), { execute: false });
    expect(ledgerGuard(blind).ok).toBe(true);
    expect(ledgerGuard(blind).evidence).toMatch(/no witness: a cut-off tail is checked only against the view/);
  });
});

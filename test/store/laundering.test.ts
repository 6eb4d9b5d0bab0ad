import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { runSurvey } from '../../src/runner/actions/survey-advance.js';
import { makeCheckpoint } from '../../src/store/checkpoint.js';
import { openStore } from '../../src/store/open.js';
import { verifyLedger } from '../../src/store/verify.js';
import { flipgate } from '../support/cli.js';
import { O8 } from '../support/seed.js';
import { advanceAll, eachBackend, forgedApproval, provisionAll, reseal, type SeededWorkflow, seededWorkflow } from './support/seeded.js';

const switchText = (w: SeededWorkflow) => readFile(path.join(w.fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');

eachBackend('signature stripping', (backend) => {
  let w: SeededWorkflow;
  afterEach(async () => w?.cleanup());

  it('is not laundered: the signed round after it adopts the forged head in plain sight, and verify and the flip refuse that boundary', async () => {
    w = await seededWorkflow(backend, { signed: true });
    await provisionAll(w, []);
    expect((await advanceAll(w.session('operator'))).outcome).toBe('blocked'); // G6 waits on GAP-7's two approvals
    const signed = await w.store.readEvents();
    expect(signed.every((e) => typeof e.sig === 'string')).toBe(true);

    // The attacker can write the store but has no key: strips every signature, forges alice's and bob's
    // approvals of GAP-7, recomputes every hash, and removes the view beside the ledger.
    const last = signed[signed.length - 1]!;
    const forged = reseal([...signed, forgedApproval(last, 'alice', 'GAP-7'), forgedApproval(last, 'bob', 'GAP-7')]);
    await w.rewrite(forged);
    await w.dropView();
    const head = forged[forged.length - 1]!;

    // A routine round with the signing key: the store adopts the unsigned head it finds, with one signed event.
    const notes: string[] = [];
    await runSurvey(w.session('surveyor', { onNote: (n) => notes.push(n) }));
    const read = await w.store.readLedger();
    const adoption = read.events[forged.length]!;
    expect(adoption).toMatchObject({
      type: 'ledger.adopted',
      seq: head.seq + 1,
      data: { adopts: { seq: head.seq, hash: head.hash } },
      sig: expect.any(String),
    });
    expect(notes.join('\n')).toContain(`--adopted ${head.seq}:${head.hash}`);

    const v = verifyLedger(read, { publicKey: w.keys.publicKey });
    expect(v.problem).toMatchObject({ problem: 'adopted', seq: adoption.seq });
    expect(v.problem!.detail).toContain(`pass --adopted ${head.seq}:${head.hash}`);

    // The forged approvals let the workflow reach armed, but the flip's ledger guard refuses the boundary.
    expect((await advanceAll(w.session('operator'))).outcome).toBe('armed');
    const flip = await flipWorkflow(w.session('carol', { verifyKey: w.keys.publicKey }), { execute: true });
    expect(flip.outcome).toBe('refused');
    expect(flip.guards.find((g) => g.guard === 'the ledger verifies')).toMatchObject({
      ok: false,
      evidence: expect.stringMatching(/^adopted at event \d+: events 1…\d+ were recorded unsigned/),
    });
    expect(await switchText(w)).toMatch(/= False/);

    const cli = await flipgate(['audit', 'verify', '--workflow', O8, '--store', w.location, '--public-key', w.pubFile], { env: w.fx.env });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(new RegExp(`does not verify: event ${adoption.seq} — adopted: events 1…${head.seq} were recorded unsigned`));
  });

  it('refuses signed events after an unsigned beginning that no adoption event names (a stripped prefix is not "covered")', async () => {
    w = await seededWorkflow(backend, { signed: true });
    await runSurvey(w.session('surveyor'));
    const events = await w.store.readEvents();
    // Stripping signatures changes no hash: the chain still holds, only the signatures can tell.
    await w.rewrite(events.map(({ sig, ...e }, i) => (i < 3 ? e : { ...e, sig })));
    const v = verifyLedger(await w.store.readLedger(), { publicKey: w.keys.publicKey });
    expect(v.problem).toMatchObject({ problem: 'unsigned', seq: 3 });
    expect(v.problem!.detail).toMatch(/events 1…3 are not signed and no signed ledger\.adopted event adopts them/);
  });
});

eachBackend('a ledger begun before signing,', (backend) => {
  let w: SeededWorkflow;
  const closing: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closing.splice(0)) await close();
    await w?.cleanup();
  });

  it('is adopted by one signed event naming its head; verify accepts the boundary only with --adopted SEQ:HASH or a signed checkpoint that covers it', async () => {
    w = await seededWorkflow(backend);
    await runSurvey(w.session('surveyor'));
    const before = await w.store.readEvents();
    const head = before[before.length - 1]!;
    // The operator, before turning signing on, keeps a signed checkpoint of the head.
    const checkpoint = makeCheckpoint(before, { key: w.keys.privateKey });

    const signing = await signingSession(w);
    closing.push(signing.closeStore);
    await runSurvey(signing.session);
    const read = await w.store.readLedger();
    const adoption = read.events[before.length]!;
    expect(adoption).toMatchObject({ type: 'ledger.adopted', data: { adopts: { seq: head.seq, hash: head.hash } } });
    expect(read.events.slice(before.length).every((e) => typeof e.sig === 'string')).toBe(true);

    const publicKey = w.keys.publicKey;
    expect(verifyLedger(read, { publicKey }).problem).toMatchObject({ problem: 'adopted', seq: adoption.seq });
    const vouched = verifyLedger(read, { publicKey, adopted: { seq: head.seq, hash: head.hash } });
    expect(vouched.ok).toBe(true);
    expect(vouched.adoption).toMatchObject({ seq: head.seq, at: adoption.seq, vouchedBy: 'adopted' });
    expect(verifyLedger(read, { publicKey, adopted: { seq: head.seq, hash: 'f'.repeat(64) } }).problem).toMatchObject({
      problem: 'adopted',
    });
    expect(verifyLedger(read, { publicKey, checkpoint }).adoption).toMatchObject({ vouchedBy: 'checkpoint' });
    expect(
      verifyLedger(read, { publicKey, checkpoint: makeCheckpoint(before.slice(0, -1), { key: w.keys.privateKey }) }).problem,
    ).toMatchObject({ problem: 'adopted' });

    const args = ['audit', 'verify', '--workflow', O8, '--store', w.location, '--public-key', w.pubFile];
    expect((await flipgate(args, { env: w.fx.env })).code).toBe(1);
    const ok = await flipgate([...args, '--adopted', `${head.seq}:${head.hash}`], { env: w.fx.env });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(`adoption: events 1…${head.seq} unsigned, adopted at event ${adoption.seq} .*vouched for by --adopted`),
    );
  });
});

// A session on the same ledger, now signing: as an operator who sets FLIPGATE_SIGNING_KEY.
async function signingSession(w: SeededWorkflow) {
  const store = await openStore(w.location, w.fx.wf.spec.id, { signingKey: w.keys.privateKey, env: {} });
  return { session: w.session('surveyor', { store, signingKey: w.keys.privateKey }), closeStore: () => store.close() };
}

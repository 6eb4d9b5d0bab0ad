import { afterEach, expect, it, vi } from 'vitest';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { resumeWorkflow } from '../../src/runner/actions/resume.js';
import { approveGap, listDecisions, revokeApproval, waiveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { watchOnce } from '../../src/runner/actions/watch.js';
import { FOLD_VERSION } from '../../src/runner/engine/ledger-view.js';
import { replay } from '../../src/runner/engine/view.js';
import { advanceAll, eachBackend, provisionAll, type SeededWorkflow, seededWorkflow } from '../store/support/seeded.js';

eachBackend('the view stored beside the ledger', (backend) => {
  let w: SeededWorkflow;
  afterEach(async () => w?.cleanup());

  const storedView = async () => {
    const v = await w.store.readView();
    expect(v.state).toBe('sealed');
    return (v as { body: { fold: number; view: unknown } }).body;
  };

  it('is, after every command, exactly the fold of the whole ledger', async () => {
    w = await seededWorkflow(backend);
    const steps: [string, () => Promise<unknown>][] = [
      ['survey', () => runSurvey(w.session('surveyor'))],
      ['a repeated survey', () => runSurvey(w.session('surveyor'))],
      ['provision and sign off', () => provisionAll(w)],
      ['advance to armed', () => advanceAll(w.session('operator'))],
      ['revoke', () => revokeApproval(w.session('bob'), 'GAP-7')],
      ['approve again', () => approveGap(w.session('bob'), 'GAP-7')],
      [
        'waive',
        () => waiveGap(w.session('cto'), 'GAP-5', new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10), 'belt and braces'),
      ],
      ['flip', () => flipWorkflow(w.session('carol'), { execute: true })],
      ['watch', () => watchOnce(w.session('watcher'))],
      ['disable', () => disableWorkflow(w.session('carol'), 'end of window')],
      ['resume', () => resumeWorkflow(w.session('operator'))],
    ];
    for (const [what, step] of steps) {
      await step();
      expect(await storedView(), what).toEqual({
        fold: FOLD_VERSION,
        view: JSON.parse(JSON.stringify(replay(await w.store.readEvents()))),
      });
    }
  });

  it('lets survey, advance, approve and status read only the ledger’s last event; the flip reads and verifies all of it', async () => {
    w = await seededWorkflow(backend);
    await runSurvey(w.session('surveyor'));
    const whole = vi.spyOn(w.store, 'readLedger');
    const scanned = vi.spyOn(w.store, 'scan');
    const notes: string[] = [];
    const s = (actor: string) => w.session(actor, { onNote: (n) => notes.push(n) });
    await runSurvey(s('surveyor'));
    await approveGap(s('dq4-board'), 'GAP-4');
    await advanceAll(s('operator'));
    expect((await readStatus(s('auditor'))).view).toEqual({ source: 'view' });
    await listDecisions(s('auditor'));
    expect(whole).not.toHaveBeenCalled();
    expect(scanned).not.toHaveBeenCalled();
    expect(notes).toEqual([]);
    const plan = await flipWorkflow(s('carol'), { execute: false });
    // One streamed pass over the whole ledger, holding no events.
    expect(scanned).toHaveBeenCalledTimes(1);
    expect(whole).not.toHaveBeenCalled();
    expect(plan.report.view).toEqual({ source: 'rebuilt' });
  });

  it('is rebuilt, and the command says so, when a command stopped between its append and the view', async () => {
    w = await seededWorkflow(backend);
    await runSurvey(w.session('surveyor'));
    // As a command killed after its append and before its view write leaves things.
    const [extra] = await w.store.transact((tx) =>
      tx.append([
        {
          type: 'approval.granted',
          actor: 'alice',
          subject: 'GAP-7',
          cause: { kind: 'approval', principal: 'alice' },
          data: { head: 'h', headSeq: 0 },
        },
      ]),
    );
    const notes: string[] = [];
    const status = await readStatus(w.session('auditor', { onNote: (n) => notes.push(n) }));
    expect(status.view).toMatchObject({
      source: 'rebuilt',
      reason: expect.stringMatching(
        new RegExp(
          `the ledger ends at event ${extra!.seq}, the view had seen event ${extra!.seq - 1} \\(a command stopped before updating the view`,
        ),
      ),
    });
    expect(status.view!.problem).toBeUndefined();
    expect(notes.join('\n')).toMatch(/the view was rebuilt from the ledger/);
    expect((await listDecisions(w.session('auditor'))).approvals.map((a) => a.principal)).toEqual(['alice']);
    // The next command that records writes the view again.
    await runSurvey(w.session('surveyor'));
    expect((await readStatus(w.session('auditor'))).view).toEqual({ source: 'view' });
  });
});

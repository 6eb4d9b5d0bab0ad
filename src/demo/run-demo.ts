import { type DisableOutcome, disableWorkflow } from '../runner/actions/disable.js';
import { type FlipOutcome, flipWorkflow } from '../runner/actions/flip.js';
import { approveGap } from '../runner/actions/signoffs.js';
import { type AdvanceOutcome, advanceWorkflow, runSurvey } from '../runner/actions/survey-advance.js';
import { auditLedger, type GapAudit } from '../runner/read-models/audit.js';
import type { StatusReport } from '../runner/read-models/report.js';
import { type LedgerVerification, verifyLedger } from '../store/verify.js';
import { type SeedWorld, withSeedWorld } from './seed-world.js';

/** What the demo did, step by step, for a caller to show as it happens. */
export type DemoEvent =
  | { kind: 'root'; root: string }
  | { kind: 'step'; n: number; title: string }
  | { kind: 'survey'; report: StatusReport }
  | { kind: 'advance'; outcome: AdvanceOutcome }
  | { kind: 'signing'; signed: boolean; allowedSigners?: string }
  | { kind: 'plan'; outcome: FlipOutcome; eventsBefore: number; eventsAfter: number }
  | { kind: 'flip'; outcome: FlipOutcome }
  | { kind: 'disable'; outcome: DisableOutcome }
  | { kind: 'audit'; gaps: GapAudit[]; events: number; verification: LedgerVerification; ledger: string };

export interface DemoSummary {
  workflow: string;
  /** `not-reached` when the workflow halted before the flip. */
  flip: FlipOutcome['outcome'] | 'not-reached';
  disabled: boolean;
  events: number;
  verifies: boolean;
  /** The kept temp folder (with `keep`). */
  root?: string;
}

/** Between advances: what an operator does on the host (provision, sign off). */
const steps = (w: SeedWorld): { title: string; act: () => Promise<unknown> }[] => {
  // Signed when the world has keys: ssh-keygen -Y sign with the approver's own key.
  const sign = (p: string) => (w.keys ? { sign: true, keyFile: w.keys.get(p) } : {});
  return [
    { title: 'advance: G1 (code substrate) is already proven', act: async () => undefined },
    { title: 'G2 is blocked; nothing provisioned yet', act: async () => undefined },
    {
      title: 'provision GAP-3 (backup key + BACKUP_GPG_FPR) and GAP-5 (orchestrator.* + /var/lib/cutter); DQ_4 ruling signed off for GAP-4',
      act: async () => {
        await w.host.provision('GAP-3');
        await w.host.provision('GAP-5');
        await approveGap(w.open('governance-board'), 'GAP-4', {
          note: 'DQ_4: cutter_exec writes review_decision',
          ...sign('governance-board'),
        });
      },
    },
    { title: 'provision GAP-9 (live bodies for the 5 mutating phases)', act: () => w.host.provision('GAP-9') },
    { title: 'provision GAP-6 (cut-revert runbook, dry-run passed)', act: () => w.host.provision('GAP-6') },
    {
      title: 'GAP-8 is no longer blocked: a harmless target is signed off',
      act: () => approveGap(w.open('release-manager'), 'GAP-8', { note: 'target: a test document', ...sign('release-manager') }),
    },
    {
      title: 'GAP-7: two distinct approvers rule for the flip',
      act: async () => {
        await approveGap(w.open('ruling-alice'), 'GAP-7', { note: 'ruling: authorise the execution flip', ...sign('ruling-alice') });
        await approveGap(w.open('ruling-bob'), 'GAP-7', { note: 'ruling: concur', ...sign('ruling-bob') });
      },
    },
  ];
};

/**
 * The O8 workflow end to end on a simulated host (the seed's state in a temp folder and an embedded
 * Postgres): surveyed, provisioned and advanced gate by gate to `armed`, flipped by a third principal
 * after two distinct approvers ruled, then disabled; the ledger is audited and verified at the end.
 * @example
 * const summary = await runDemo({ on: (e) => console.log(e.kind) });
 */
export async function runDemo(opts: { keep?: boolean; on: (e: DemoEvent) => void }): Promise<DemoSummary> {
  const { on } = opts;
  return withSeedWorld({ purpose: 'the demo', keep: opts.keep, signed: true, onRoot: (root) => on({ kind: 'root', root }) }, async (w) => {
    on({ kind: 'signing', signed: !!w.keys, ...(w.keys ? { allowedSigners: `${w.root}/allowed_signers` } : {}) });
    const operator = w.open('demo-operator');
    let n = 1;
    on({ kind: 'step', n: n++, title: 'Survey the host as the seed found it (read-only)' });
    on({ kind: 'survey', report: (await runSurvey(operator)).report });
    const summary = (flip: DemoSummary['flip'], disabled: boolean, events: number, verifies: boolean): DemoSummary => ({
      workflow: w.wf.spec.id,
      flip,
      disabled,
      events,
      verifies,
      ...(opts.keep ? { root: w.root } : {}),
    });
    for (const step of steps(w)) {
      on({ kind: 'step', n: n++, title: step.title });
      await step.act();
      const r = await advanceWorkflow(operator);
      on({ kind: 'advance', outcome: r });
      if (r.outcome === 'halted') return summary('not-reached', false, 0, false);
    }
    on({ kind: 'step', n: n++, title: 'flip plan, asked by ruling-alice (an approver of GAP-7): read-only, records nothing' });
    const eventsBefore = (await w.store.readEvents()).length;
    const plan = await flipWorkflow(w.open('ruling-alice'), { execute: false });
    on({ kind: 'plan', outcome: plan, eventsBefore, eventsAfter: (await w.store.readEvents()).length });
    on({ kind: 'step', n: n++, title: 'flip --execute, requested by release-operator (neither ruling approver)' });
    const flip = await flipWorkflow(w.open('release-operator'), { execute: true });
    on({ kind: 'flip', outcome: flip });
    on({ kind: 'step', n: n++, title: 'disable: turn execution off again' });
    const off = await disableWorkflow(w.open('release-operator'), 'demo finished');
    on({ kind: 'disable', outcome: off });
    const events = await w.store.readEvents();
    const verification = verifyLedger(events, { workflow: w.wf.spec.id });
    on({
      kind: 'audit',
      gaps: auditLedger(events, { gates: operator.plan.steps }).gaps,
      events: events.length,
      verification,
      ledger: w.store.location,
    });
    return summary(flip.outcome, off.safe, events.length, verification.ok);
  });
}

import type { Command } from 'commander';
import { disableWorkflow } from '../../runner/actions/disable.js';
import { flipWorkflow, type Guard } from '../../runner/actions/flip.js';
import { resumeWorkflow } from '../../runner/actions/resume.js';
import {
  approveGap,
  listDecisions,
  revokeApproval,
  type SignoffOutcome,
  unauthenticatedNote,
  unwaiveGap,
  waiveGap,
} from '../../runner/actions/signoffs.js';
import { driftText, watchOnce } from '../../runner/actions/watch.js';
import { colors, printReport } from '../io.js';
import type { GlobalOptions } from '../resolve.js';
import { cliSession } from '../session.js';
import { vouchers } from '../vouch.js';

type Opts = GlobalOptions & {
  note?: string;
  sign?: boolean;
  key?: string;
  until?: string;
  reason?: string;
  execute?: boolean;
  interval?: string;
  once?: boolean;
  checkpoint?: string;
  adopted?: string;
};

const out = (s: string) => process.stdout.write(`${s}\n`);

async function withSession<T>(
  cmd: Command,
  fn: (s: Awaited<ReturnType<typeof cliSession>>, o: Opts) => Promise<T>,
  progress = false,
  storeMayFail = false,
): Promise<T> {
  const o = cmd.optsWithGlobals<Opts>();
  const s = await cliSession(o, { progress, storeMayFail });
  try {
    return await fn(s, o);
  } finally {
    await s.close();
  }
}

function printSignoff(r: SignoffOutcome, o: Opts): number {
  if (o.json)
    out(
      JSON.stringify(
        { schemaVersion: 1, message: r.message, unauthenticated: r.unauthenticated, events: r.recorded.map((e) => e.seq) },
        null,
        2,
      ),
    );
  else {
    out(`✓ ${r.message}`);
    if (r.unauthenticated) out(colors().yellow(`note: ${unauthenticatedNote}`));
  }
  return 0;
}

export const approveCommand = (gap: string, cmd: Command) =>
  withSession(cmd, async (s, o) => printSignoff(await approveGap(s, gap, { note: o.note, sign: o.sign, keyFile: o.key }), o));
export const revokeCommand = (gap: string, cmd: Command) => withSession(cmd, async (s, o) => printSignoff(await revokeApproval(s, gap), o));
export const waiveCommand = (gap: string, cmd: Command) =>
  withSession(cmd, async (s, o) => printSignoff(await waiveGap(s, gap, o.until!, o.reason!, { sign: o.sign, keyFile: o.key }), o));
export const unwaiveCommand = (gap: string, cmd: Command) => withSession(cmd, async (s, o) => printSignoff(await unwaiveGap(s, gap), o));

/** approvals: every approval and waiver with its standing. */
export const approvalsCommand = (cmd: Command) =>
  withSession(cmd, async (s, o) => {
    const list = await listDecisions(s);
    const p = list.problem;
    if (p) process.stderr.write(`flipgate: the ledger does not verify: event ${p.seq} — ${p.problem}: ${p.detail}\n`);
    if (o.json) {
      out(
        JSON.stringify(
          { schemaVersion: 1, signed: list.signed, approvals: list.approvals, waivers: list.waivers, ...(p ? { problem: p } : {}) },
          null,
          2,
        ),
      );
      return p ? 1 : 0;
    }
    const c = colors();
    out(c.bold('Approvals'));
    if (!list.approvals.length) out('  (none)');
    // A later copy of an approval that counts is listed once, under the one that counts (--json has both).
    for (const a of list.approvals.filter((x) => x.duplicateOf === undefined))
      out(
        `  ${a.counts ? c.green('✓') : c.red('✗')} ${a.gap}  ${a.principal}  ${a.time}  ${a.counts ? 'counts' : a.why}${a.note ? `  — ${a.note}` : ''}`,
      );
    out(c.bold('Waivers'));
    if (!list.waivers.length) out('  (none)');
    for (const w of list.waivers)
      out(
        `  ${w.standing === 'active' ? c.green('✓') : c.red('✗')} ${w.gap}  ${w.principal}  until ${w.until}  ${w.standing.toUpperCase()}: ${w.why}  — ${w.reason}`,
      );
    if (!list.signed) out(c.yellow(`note: ${unauthenticatedNote}`));
    return p ? 1 : 0;
  });

function printGuards(guards: Guard[]) {
  const c = colors();
  for (const g of guards) out(`  ${g.ok ? c.green('✓') : c.red('✗')} ${g.guard}\n      ${c.dim(g.evidence)}`);
}

/** flip: the plan (exit 0 when it would proceed), or with --execute the flip itself (exit 0 only when flipped). */
export const flipCommand = (cmd: Command) =>
  withSession(
    cmd,
    async (s, o) => {
      const r = await flipWorkflow(s, { execute: !!o.execute, vouch: await vouchers(o) });
      s.progress.clear();
      const ok = r.outcome === 'would-proceed' || r.outcome === 'flipped';
      if (o.json) {
        out(
          JSON.stringify(
            {
              schemaVersion: 1,
              outcome: r.outcome,
              message: r.message,
              requester: s.actor,
              guards: r.guards,
              command: r.command,
              disable: r.disable,
              unauthenticated: r.unauthenticated,
              state: r.report.state,
            },
            null,
            2,
          ),
        );
        return ok ? 0 : 1;
      }
      const c = colors();
      out(c.bold(o.execute ? `Flip requested by ${s.actor}` : `Flip plan for ${s.actor} (nothing runs without --execute)`));
      printGuards(r.guards);
      if (r.command) out(`  would run: ${r.command.join(' ')}  (no shell), then require the kill switch to read "execution enabled"`);
      if (r.disable) out(`  on failure: ${r.disable.join(' ')}, then halted`);
      if (r.unauthenticated) out(c.yellow(`note: ${unauthenticatedNote}`));
      out(`${ok ? c.green('✓') : c.red('✗')} ${r.message}`);
      return ok ? 0 : 1;
    },
    true,
  );

/**
 * disable: always allowed, and it acts even when the store cannot be opened; exit 0 only when the
 * switch reads safe afterwards AND the ledger took the record (else the record waits in the journal).
 */
export const disableCommand = (cmd: Command) =>
  withSession(
    cmd,
    async (s, o) => {
      const r = await disableWorkflow(s, o.reason!);
      if (o.json)
        out(
          JSON.stringify(
            {
              schemaVersion: 1,
              safe: r.safe,
              from: r.from,
              state: r.report?.state ?? null,
              recorded: !r.journaled,
              ...(r.journaled ? { journal: r.journaled.file, problem: r.journaled.problem } : {}),
              message: r.message,
            },
            null,
            2,
          ),
        );
      else out(`${r.safe ? '✓' : '✗'} ${r.message}${r.journaled ? '' : ` (was ${r.from})`}`);
      if (r.journaled) {
        process.stderr.write(`flipgate: the disable ran but was NOT recorded: ${r.journaled.problem}; kept in ${r.journaled.file}\n`);
        // The abandoned wait for the store's lock must not keep the process (and the operator) waiting.
        setTimeout(() => process.exit(1), 100).unref();
      }
      return r.safe && !r.journaled ? 0 : 1;
    },
    false,
    true,
  );

/** resume: leaves halted when the switch reads safe. */
export const resumeCommand = (cmd: Command) =>
  withSession(cmd, async (s, o) => {
    const r = await resumeWorkflow(s);
    if (o.json)
      out(
        JSON.stringify({ schemaVersion: 1, resumed: r.resumed, state: r.report.state, step: r.report.step, message: r.message }, null, 2),
      );
    else {
      printReport(r.report, o);
      out(`${r.resumed ? '✓' : '✗'} ${r.message}`);
    }
    return r.resumed ? 0 : 1;
  });

/** watch: re-survey on a schedule; drift after the flip goes to stderr and the ledger. */
export const watchCommand = (cmd: Command) =>
  withSession(cmd, async (s, o) => {
    const seconds = Number(o.interval ?? s.wf.spec.watch?.intervalSeconds ?? 300);
    let drift = false;
    for (;;) {
      const r = await watchOnce(s);
      const stamp = new Date().toISOString();
      if (r.reopened.length) {
        drift = true;
        process.stderr.write(`flipgate watch ${stamp}: DRIFT after the flip: ${r.reopened.map(driftText).join(', ')}\n`);
        if (r.disabled) process.stderr.write(`flipgate watch ${stamp}: ${r.disabled.message}\n`);
      }
      if (o.json)
        out(
          JSON.stringify({
            schemaVersion: 1,
            time: stamp,
            state: r.report.state,
            reopened: r.reopened,
            disabled: r.disabled ? { safe: r.disabled.safe } : null,
          }),
        );
      else out(`${stamp} ${r.report.state} — ${r.reopened.length ? `${r.reopened.length} GAP(s) reopened` : 'no drift'}`);
      if (o.once) return drift ? 1 : 0;
      await new Promise((res) => setTimeout(res, seconds * 1000));
    }
  });

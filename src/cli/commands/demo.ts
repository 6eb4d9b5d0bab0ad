import type { Command } from 'commander';
import { type DemoEvent, runDemo } from '../../demo/run-demo.js';
import { formatTable } from '../../reporters/table.js';
import { unauthenticatedNote } from '../../runner/actions/signoffs.js';
import type { StatusReport } from '../../runner/read-models/report.js';
import { colors, useColor } from '../io.js';

/** demo: runs the O8 walk-through (src/demo/run-demo.ts) and narrates it; with --json stdout holds only the summary. */
export async function demoCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<{ keep?: boolean; json?: boolean; wide?: boolean }>();
  const color = useColor();
  const c = colors();
  const say = (s = '') => (opts.json ? process.stderr : process.stdout).write(`${s}\n`);
  const board = (r: StatusReport, sections = false) => say(formatTable(r, { color, sections, width: process.stdout.columns ?? 120 }));
  let root = '';
  const show: { [K in DemoEvent['kind']]: (e: Extract<DemoEvent, { kind: K }>) => void } = {
    root: (e) => {
      root = e.root;
      say(c.bold('flipgate demo — the O8 production-readiness workflow on a simulated host'));
      say(c.dim(`host root: ${e.root}${opts.keep ? '' : ' (removed at the end; --keep keeps it and its ledger)'}`));
      say(c.dim('starting an embedded Postgres (PGlite) …'));
    },
    step: (e) => {
      say('');
      say(c.bold(`── ${e.n}. ${e.title} ──`));
    },
    survey: (e) => board(e.report, true),
    advance: ({ outcome: r }) => {
      board(r.report);
      say(`${r.outcome === 'blocked' || r.outcome === 'halted' ? c.red('✗') : c.green('✓')} advance: ${r.message}`);
      for (const b of r.blockers) say(`    ${b.gap} ${b.status}: ${b.reasons.join('; ')}`);
    },
    signing: (e) =>
      say(
        c.dim(
          e.signed
            ? `approvals are signed: an SSH key per approver (ssh-keygen -Y sign -n flipgate), named in ${e.allowedSigners}`
            : 'ssh-keygen is not on PATH: approvals are unsigned claims in this run',
        ),
      ),
    plan: ({ outcome: plan, eventsBefore, eventsAfter }) => {
      for (const g of plan.guards.filter((x) => !x.ok)) say(`  ${c.red('✗')} ${g.refusal ?? g.guard}  ${c.dim(g.evidence)}`);
      say(`${plan.outcome === 'would-proceed' ? c.green('✓') : c.red('✗')} ${plan.message}`);
      say(c.dim(`  the ledger still holds ${eventsAfter} events (${eventsBefore} before the plan); every approval still stands`));
    },
    flip: ({ outcome: flip }) => {
      for (const g of flip.guards) say(`  ${g.ok ? c.green('✓') : c.red('✗')} ${g.guard}  ${c.dim(g.evidence)}`);
      say(`${flip.outcome === 'flipped' ? c.green('✓') : c.red('✗')} ${flip.message}`);
      if (flip.unauthenticated) say(c.yellow(`note: ${unauthenticatedNote}`));
    },
    disable: ({ outcome: off }) => say(`${off.safe ? c.green('✓') : c.red('✗')} ${off.message}`),
    audit: (e) => {
      say('');
      say(c.bold('── Who closed each GAP, when, on what evidence (flipgate audit) ──'));
      for (const g of e.gaps) {
        const by = g.closedBy;
        if (!by) continue;
        const signoffs = by.signoffs.length ? `; sign-offs: ${by.signoffs.map((x) => x.principal).join(', ')}` : '';
        say(
          `  ${g.gap} closed at event ${by.seq} (${by.time}) by ${by.actor}'s ${by.scope ?? 'probe'} through ${by.checks.map((x) => x.id).join(', ')}${signoffs}`,
        );
      }
      const v = e.verification;
      say(
        `Ledger: ${e.events} events, hash chain ${v.ok ? c.green('verifies') : c.red(`BROKEN: ${v.problem?.detail}`)}` +
          c.dim(opts.keep ? `  (${e.ledger})` : ''),
      );
    },
  };
  const summary = await runDemo({ keep: opts.keep, on: (e) => (show[e.kind] as (x: DemoEvent) => void)(e) });
  if (opts.keep) say(c.dim(`kept ${root}`));
  if (opts.json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, ...summary }, null, 2)}\n`);
  return summary.flip === 'flipped' && summary.disabled && summary.verifies ? 0 : 1;
}

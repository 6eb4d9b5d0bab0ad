import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ConfigError } from '../../errors.js';
import { startEmbeddedPostgres } from '../../demo/embedded-pg.js';
import { bundledWorkflow } from '../../demo/locate.js';
import { buildSeedHost } from '../../demo/seed-host.js';
import { runArgv } from '../../probes/support/exec.js';
import { formatTable } from '../../reporters/table.js';
import { openSession, type Session } from '../../runner/session.js';
import { approveGap } from '../../runner/signoffs.js';
import { advanceWorkflow, runSurvey } from '../../runner/workflow.js';
import { disableWorkflow, flipWorkflow } from '../../runner/decisions.js';
import { unauthenticatedNote } from '../../runner/signoffs.js';
import { verifyLedger } from '../../store/verify.js';
import { auditLedger } from '../../runner/audit.js';
import { loadWorkflow } from '../../spec/load.js';
import { FileStore } from '../../store/file-store.js';
import { useColor } from '../io.js';

async function requireGpg(): Promise<void> {
  const r = await runArgv(['gpg', '--version'], { timeoutMs: 10_000 });
  if (r.problem === 'not-found') {
    throw new ConfigError('the demo needs gpg (GnuPG) on PATH to build and probe the backup keyring', {
      place: { field: 'gpg' },
      fix: 'install it: apt-get install gnupg (Debian/Ubuntu), dnf install gnupg2 (Fedora), brew install gnupg (macOS)',
    });
  }
}

const approvers = ['governance-board', 'release-manager', 'ruling-alice', 'ruling-bob'];

/**
 * An SSH key per approver and an allowed-signers file naming them, when ssh-keygen is on PATH: the
 * demo then runs the O8 workflow with signed approvals (a copy of it, with approvals: {signed: true}).
 */
async function approverKeys(root: string): Promise<Map<string, string> | undefined> {
  const keys = new Map<string, string>();
  const lines: string[] = [];
  for (const name of approvers) {
    const file = path.join(root, 'approver-keys', name);
    const r = await runArgv(['/bin/sh', '-c', 'mkdir -p "$(dirname "$1")" && ssh-keygen -q -t ed25519 -N "" -C "$2" -f "$1"', 'sh', file, name], { timeoutMs: 20_000 });
    if (r.problem || r.exitCode !== 0) return undefined;
    keys.set(name, file);
    lines.push(`${name} namespaces="flipgate" ${(await readFile(`${file}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}`);
  }
  await writeFile(path.join(root, 'allowed_signers'), lines.join('\n') + '\n');
  return keys;
}

/**
 * demo: the O8 workflow end to end on a simulated host: the seed's state in a temp folder and an
 * embedded Postgres (PGlite through its socket server, reached by the same pg code), surveyed, then
 * provisioned and advanced gate by gate to `armed`, printing the board at each step.
 */
export async function demoCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<{ keep?: boolean; json?: boolean }>();
  await requireGpg();
  const color = useColor();
  const c = color ? pc : pc.createColors(false);
  const say = (s = '') => process.stdout.write(s + '\n');
  const root = await mkdtemp(path.join(tmpdir(), 'flipgate-demo-'));
  say(c.bold('flipgate demo — the O8 production-readiness workflow on a simulated host'));
  say(c.dim(`host root: ${root}${opts.keep ? '' : ' (removed at the end; --keep keeps it and its ledger)'}`));
  say(c.dim('starting an embedded Postgres (PGlite) …'));
  const pgServer = await startEmbeddedPostgres();
  // The demo's probes must reach the embedded server, whatever the caller's environment points at.
  const env: NodeJS.ProcessEnv = { ...process.env, ...pgServer.env };
  delete env.DATABASE_URL;
  delete env.PGPASSWORD;
  let session: Session | undefined;
  try {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ host: pgServer.host, port: pgServer.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    const host = await buildSeedHost({ root, sql: admin });
    await admin.end();
    Object.assign(env, host.vars);
    const keys = await approverKeys(root);
    let file = await bundledWorkflow();
    if (keys) {
      const signed = path.join(root, path.basename(file));
      await writeFile(signed, (await readFile(file, 'utf8')).replace(/^gates:$/m, '# signed approvals: each approver signs with an SSH key named in allowed_signers\napprovals: { signed: true, allowedSigners: allowed_signers }\ngates:'));
      file = signed;
    }
    const wf = await loadWorkflow(file, { env });
    say(c.dim(keys ? `approvals are signed: an SSH key per approver (ssh-keygen -Y sign -n flipgate), named in ${path.join(root, 'allowed_signers')}` : 'ssh-keygen is not on PATH: approvals are unsigned claims in this run'));
    const sign = (p: string) => (keys ? { sign: true, keyFile: keys.get(p) } : {});
    const store = new FileStore(path.join(root, 'state', `${wf.spec.id}.json`), wf.spec.id);
    const open = (actor: string) => openSession({ workflow: wf, store, actor, root, env, pgMaxConnections: 1, timeoutMs: 15_000 });
    session = open('demo-operator');
    const board = (r: Parameters<typeof formatTable>[0], sections = false) => say(formatTable(r, { color, sections, width: process.stdout.columns ?? 120 }));

    say('');
    say(c.bold('── 1. Survey the host as the seed found it (read-only) ──'));
    const first = await runSurvey(session);
    board(first.report, true);

    const steps: { title: string; act: () => Promise<void> }[] = [
      { title: 'advance: G1 (code substrate) is already proven', act: async () => undefined },
      { title: 'G2 is blocked; nothing provisioned yet', act: async () => undefined },
      {
        title: 'provision GAP-3 (backup key + BACKUP_GPG_FPR) and GAP-5 (orchestrator.* + /var/lib/cutter); DQ_4 ruling signed off for GAP-4',
        act: async () => {
          await host.provision('GAP-3');
          await host.provision('GAP-5');
          await approveGap(open('governance-board'), 'GAP-4', { note: 'DQ_4: cutter_exec writes review_decision', ...sign('governance-board') });
        },
      },
      { title: 'provision GAP-9 (live bodies for the 5 mutating phases)', act: () => host.provision('GAP-9') },
      { title: 'provision GAP-6 (cut-revert runbook, dry-run passed)', act: () => host.provision('GAP-6') },
      { title: 'GAP-8 is no longer blocked: a harmless target is signed off', act: async () => void (await approveGap(open('release-manager'), 'GAP-8', { note: 'target: a test document', ...sign('release-manager') })) },
      {
        title: 'GAP-7: two distinct approvers rule for the flip',
        act: async () => {
          await approveGap(open('ruling-alice'), 'GAP-7', { note: 'ruling: authorise the execution flip', ...sign('ruling-alice') });
          await approveGap(open('ruling-bob'), 'GAP-7', { note: 'ruling: concur', ...sign('ruling-bob') });
        },
      },
    ];
    let n = 2;
    for (const step of steps) {
      say('');
      say(c.bold(`── ${n++}. ${step.title} ──`));
      await step.act();
      const r = await advanceWorkflow(session);
      board(r.report);
      say(`${r.outcome === 'blocked' || r.outcome === 'halted' ? c.red('✗') : c.green('✓')} advance: ${r.message}`);
      for (const b of r.blockers) say(`    ${b.gap} ${b.status}: ${b.reasons.join('; ')}`);
      if (r.outcome === 'halted') return 1;
    }
    say('');
    say(c.bold(`── ${n++}. flip plan, asked by ruling-alice (an approver of GAP-7): read-only, records nothing ──`));
    const before = (await store.readEvents()).length;
    const plan = await flipWorkflow(open('ruling-alice'), { execute: false });
    for (const g of plan.guards.filter((x) => !x.ok)) say(`  ${c.red('✗')} ${g.refusal ?? g.guard}  ${c.dim(g.evidence)}`);
    say(`${c.red('✗')} ${plan.message}`);
    say(c.dim(`  the ledger still holds ${(await store.readEvents()).length} events (${before} before the plan); every approval still stands`));
    say('');
    say(c.bold(`── ${n++}. flip --execute, requested by release-operator (neither ruling approver) ──`));
    const flip = await flipWorkflow(open('release-operator'), { execute: true });
    for (const g of flip.guards) say(`  ${g.ok ? c.green('✓') : c.red('✗')} ${g.guard}  ${c.dim(g.evidence)}`);
    say(`${flip.outcome === 'flipped' ? c.green('✓') : c.red('✗')} ${flip.message}`);
    if (!keys) say(c.yellow(`note: ${unauthenticatedNote}`));
    say('');
    say(c.bold(`── ${n++}. disable: turn execution off again ──`));
    const off = await disableWorkflow(open('release-operator'), 'demo finished');
    say(`${off.safe ? c.green('✓') : c.red('✗')} ${off.message}`);
    say('');
    say(c.bold('── Who closed each GAP, when, on what evidence (flipgate audit) ──'));
    const events = await store.readEvents();
    const audit = auditLedger(events, { gates: session.plan.steps });
    for (const g of audit.gaps) {
      const by = g.closedBy;
      if (!by) continue;
      const signoffs = by.signoffs.length ? `; sign-offs: ${by.signoffs.map((x) => x.principal).join(', ')}` : '';
      say(`  ${g.gap} closed at event ${by.seq} (${by.time}) by ${by.actor}'s ${by.scope ?? 'probe'} through ${by.checks.map((x) => x.id).join(', ')}${signoffs}`);
    }
    const verified = verifyLedger(events, { workflow: wf.spec.id });
    say(`Ledger: ${events.length} events, hash chain ${verified.ok ? c.green('verifies') : c.red(`BROKEN: ${verified.problem?.detail}`)}` + c.dim(opts.keep ? `  (${store.ledgerFile})` : ''));
    return flip.outcome === 'flipped' && off.safe && verified.ok ? 0 : 1;
  } finally {
    await session?.close();
    await pgServer.stop();
    if (!opts.keep) await rm(root, { recursive: true, force: true });
    else say(c.dim(`kept ${root}`));
  }
}

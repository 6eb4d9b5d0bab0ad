import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { type StoredVerification, verifyStored } from '../../runner/engine/ledger-view.js';
import type { Standings } from '../../runner/engine/standing.js';
import { type AuditReport, auditLedger, type GapChange } from '../../runner/read-models/audit.js';
import type { HostAudit } from '../../runner/read-models/fleet-audit.js';
import { loadWorkflow } from '../../spec/load.js';
import { writeFileAtomic } from '../../store/atomic-file.js';
import { makeCheckpoint } from '../../store/checkpoint.js';
import { type CopyResult, copyLedger } from '../../store/copy.js';
import { openStore, storeWorkflows } from '../../store/open.js';
import type { LedgerVerification } from '../../store/verify.js';
import { keyId, readSigningKey, readVerifyKey } from '../../support/digest.js';
import { colors } from '../io.js';
import type { GlobalOptions } from '../resolve.js';
import { cliReader } from '../session.js';
import { vouchers } from '../vouch.js';

type AuditOptions = GlobalOptions & {
  actor?: string;
  checkpoint?: string;
  adopted?: string;
  publicKey?: string;
  key?: string;
  out?: string;
  from?: string;
  to?: string;
};

const out = (s = '') => process.stdout.write(`${s}\n`);
const json = (v: unknown) => out(JSON.stringify(v, null, 2));
const short = (h: string | undefined) => (h ? h.slice(0, 12) : '—');
const mark = (status: string) => ({ pass: '✓', fail: '✗', error: '!', skip: '-' })[status] ?? '?';

/** --public-key, else FLIPGATE_VERIFY_KEY, else none. */
async function verifyKey(opts: AuditOptions) {
  const file = opts.publicKey ?? process.env.FLIPGATE_VERIFY_KEY;
  return file ? readVerifyKey(file, opts.publicKey ? '--public-key' : 'FLIPGATE_VERIFY_KEY') : undefined;
}

/**
 * The ledger of the workflow the options name, verified against everything that can vouch for it: the
 * public key, the witness, the stored view's head, the checkpoint and adopted head given.
 */
async function verifyNamed(opts: AuditOptions, keep = false) {
  const publicKey = await verifyKey(opts);
  const vouch = await vouchers(opts);
  const reader = await cliReader(opts);
  try {
    if (vouch.checkpoint && vouch.checkpoint.workflow !== reader.wf.spec.id) {
      throw new ConfigError(`the checkpoint is for workflow ${vouch.checkpoint.workflow}, but this store holds ${reader.wf.spec.id}`, {
        place: { file: opts.checkpoint, field: '--checkpoint' },
        fix: `pass --workflow for ${vouch.checkpoint.workflow}, or a checkpoint of ${reader.wf.spec.id}`,
      });
    }
    const checked = await verifyStored(reader.store, {
      workflow: reader.wf.spec.id,
      verifyKey: publicKey ?? reader.verifyKey,
      witness: reader.witness,
      vouch,
      keep,
    });
    return { reader, checked };
  } catch (e) {
    await reader.close();
    throw e;
  }
}

function verdictLines(v: LedgerVerification, c = colors(), viewRejected?: string): string[] {
  const lines: string[] = [];
  const who = `the ledger of ${v.workflow ?? '(empty)'}`;
  if (v.ok) lines.push(`${c.green('✓')} ${who} verifies: ${v.events} events${v.head ? `, head #${v.head.seq} ${short(v.head.hash)}` : ''}`);
  else
    lines.push(`${c.red('✗')} ${who} does not verify: ${c.bold(`event ${v.problem!.seq}`)} — ${v.problem!.problem}: ${v.problem!.detail}`);
  const s = v.signatures;
  lines.push(
    s.checked
      ? `  signatures: ${s.signed} checked with key ${s.keyId}${s.firstSigned ? `, from event ${s.firstSigned}` : ''}`
      : `  signatures: not checked (${s.signed} present)`,
  );
  if (v.adoption)
    lines.push(
      `  adoption: events 1…${v.adoption.seq} unsigned, adopted at event ${v.adoption.at} (head ${v.adoption.seq}:${v.adoption.hash})${v.adoption.vouchedBy ? `, vouched for by ${v.adoption.vouchedBy === 'adopted' ? '--adopted' : 'the checkpoint'}` : ', not vouched for'}`,
    );
  if (v.checkpoint)
    lines.push(
      `  checkpoint: event ${v.checkpoint.seq} ${short(v.checkpoint.hash)} of ${v.checkpoint.created}${v.checkpoint.signed ? (v.checkpoint.signatureChecked ? ', signature checked' : ', signed (not checked)') : ', unsigned'}`,
    );
  if (v.witness)
    lines.push(
      `  witness: event ${v.witness.seq} ${short(v.witness.hash)} at ${v.witness.location}${v.witness.signed ? (v.witness.signatureChecked ? ', signature checked' : ', signed (not checked)') : ', unsigned'}`,
    );
  if (v.view) lines.push(`  view: event ${v.view.seq} ${short(v.view.hash)} (${v.view.location})`);
  if (viewRejected) lines.push(c.yellow(`  view: ${viewRejected}; it is not used, and the next command rebuilds it`));
  for (const n of v.notes) lines.push(c.dim(`  note: ${n}`));
  return lines;
}

function changeLines(label: string, ch: GapChange | undefined, c = colors()): string[] {
  if (!ch) return [`  ${label.padEnd(9)}—`];
  const pad = ' '.repeat(11);
  const lines = [
    `  ${label.padEnd(9)}#${ch.seq} ${ch.time} by ${ch.actor}${ch.scope ? ` (${ch.scope} round)` : ''}: ${ch.from} → ${ch.to}`,
  ];
  if (ch.checks.length) {
    lines.push(`${pad}through ${ch.checks.map((k) => k.ref).join(', ')}`);
    for (const k of ch.checks) lines.push(`${pad}${mark(k.status)} ${k.id} (${k.kind}): ${k.evidence}`);
  } else {
    for (const e of ch.evidence) lines.push(`${pad}${e}`);
  }
  if (ch.signoffs.length)
    lines.push(
      `${pad}sign-offs standing: ${ch.signoffs.map((s) => `${s.principal} (#${s.seq}${s.note ? `: ${s.note}` : ''})`).join(', ')}`,
    );
  if (ch.waiver) lines.push(`${pad}waiver: ${ch.waiver.principal} (#${ch.waiver.seq}) until ${ch.waiver.until}: ${ch.waiver.reason}`);
  if (ch.evidenceDigest && !ch.evidenceDigest.matches)
    lines.push(c.yellow(`${pad}the evidence digest does not match the round's survey record`));
  return lines;
}

/**
 * The inventory hosts of a fleet: their status, and who or what last closed (and reopened) the GAP
 * there with the evidence. Hosts whose story reads the same, line for line, share one entry.
 */
function hostLines(hosts: HostAudit[], c = colors()): string[] {
  const pad = ' '.repeat(11);
  const story = (h: HostAudit): string[] => {
    const lines: string[] = [];
    for (const [label, ch] of [
      ['closed', h.closedBy],
      ['reopened', h.reopenedBy],
    ] as const) {
      if (!ch) continue;
      lines.push(`    ${label} #${ch.seq} ${ch.time} by ${ch.actor}${ch.scope ? ` (${ch.scope} round)` : ''}: ${ch.from} → ${ch.to}`);
      for (const k of ch.checks) lines.push(`${pad}${mark(k.status)} ${k.id} (${k.kind}): ${k.evidence}`);
    }
    if (h.status !== 'CLOSED')
      for (const k of h.checks.filter((x) => x.status !== 'pass'))
        lines.push(`${pad}${mark(k.status)} ${k.id} (${k.kind}) now: ${k.evidence}`);
    return lines;
  };
  const groups = new Map<string, { names: string[]; status: string; lines: string[] }>();
  for (const h of hosts) {
    const lines = story(h);
    const key = JSON.stringify([h.status, lines]);
    const g = groups.get(key);
    if (g) g.names.push(h.host);
    else groups.set(key, { names: [h.host], status: h.status, lines });
  }
  return [...groups.values()].flatMap((g) => [
    g.names.length === 1
      ? `  host ${c.bold(g.names[0]!)} ${g.status}`
      : `  ${g.names.length} hosts ${g.status}: ${c.bold(g.names.join(', '))}`,
    ...g.lines,
  ]);
}

function printAudit(r: AuditReport, checked: StoredVerification, workflow: string): void {
  const c = colors();
  const narrowed = [r.filter.subject, r.filter.actor && `actor ${r.filter.actor}`].filter(Boolean).join(', ');
  if (!r.events && checked.verification.ok) {
    out(`Audit of ${workflow}: nothing recorded yet — the first flipgate survey or advance starts the ledger`);
    return;
  }
  out(c.bold(`Audit of ${r.workflow ?? workflow}${narrowed ? ` — ${narrowed}` : ''}`));
  for (const l of verdictLines(checked.verification, c, checked.viewRejected)) out(l);
  for (const g of r.gaps) {
    out('');
    out(`${c.bold(g.gap)} ${g.status}`);
    for (const l of changeLines('closed', g.closedBy, c)) out(l);
    if (g.reopenedBy) for (const l of changeLines('reopened', g.reopenedBy, c)) out(l);
    if (g.hosts) for (const l of hostLines(g.hosts, c)) out(l);
    if (g.changes.length) out(c.dim(`  history  ${g.changes.map((h) => `#${h.seq} ${h.from}→${h.to} (${h.actor})`).join(' · ')}`));
  }
  out('');
  out(c.bold(`Timeline (${r.timeline.length} of ${r.events} events)`));
  const actorWidth = Math.min(24, Math.max(5, ...r.timeline.map((t) => t.actor.length)));
  const typeWidth = Math.min(20, Math.max(4, ...r.timeline.map((t) => t.type.length)));
  for (const t of r.timeline)
    out(`  ${`#${t.seq}`.padStart(6)}  ${t.time}  ${t.actor.padEnd(actorWidth)}  ${t.type.padEnd(typeWidth)}  ${t.summary}`);
}

/** Every approval and waiver as it stands now, and why those that do not count do not (the standing function's words). */
function printStandings(d: Standings, subject: string | undefined): void {
  const c = colors();
  const approvals = d.approvals.filter((a) => a.duplicateOf === undefined && (!subject || a.gap === subject));
  const waivers = d.waivers.filter((w) => !subject || w.gap === subject);
  if (!approvals.length && !waivers.length) return;
  out('');
  out(c.bold('Approvals and waivers now'));
  for (const a of approvals) out(`  ${a.counts ? c.green('✓') : c.red('✗')} #${a.seq} ${a.gap} approved by ${a.principal}: ${a.why}`);
  for (const w of waivers)
    out(
      `  ${w.standing === 'active' ? c.green('✓') : c.red('✗')} #${w.seq} ${w.gap} waived by ${w.principal} until ${w.until}: ${w.standing} — ${w.why}`,
    );
}

/** audit [subject]: the timeline, and who or what closed and reopened each GAP. Exit 1 when the ledger does not verify. */
export async function auditCommand(subject: string | undefined, cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<AuditOptions>();
  const { reader, checked } = await verifyNamed(opts, true);
  try {
    const events = checked.events!;
    const gates = reader.plan.steps.map((g) => ({ gate: g.gate, gaps: g.gaps }));
    if (subject !== undefined) {
      const known = new Set([
        ...gates.map((g) => g.gate),
        ...reader.wf.spec.gaps.map((g) => g.id),
        ...events.map((e) => e.subject).filter((x): x is string => !!x),
      ]);
      if (!known.has(subject))
        throw new ConfigError(`"${subject}" is neither a GAP nor a gate of ${reader.wf.spec.id}`, {
          place: { field: 'subject' },
          fix: `use one of ${[...gates.map((g) => g.gate), ...reader.wf.spec.gaps.map((g) => g.id)].join(', ')}`,
        });
    }
    const report = auditLedger(events, { subject, actor: opts.actor, gates });
    const { decisionStandings } = await import('../../runner/engine/standing.js');
    const { replay } = await import('../../runner/engine/view.js');
    const decisions = await decisionStandings(
      { wf: reader.wf, env: process.env, plan: reader.plan, store: reader.store, now: () => new Date() },
      replay(events),
    );
    // Disables that acted but could not be recorded yet: the next command that can write appends them.
    const { journalPath, readJournal } = await import('../../runner/engine/disable-journal.js');
    const journal = journalPath(reader.store.location, reader.wf.spec.id);
    const waiting = (await readJournal(journal).catch(() => ({ entries: [] }))).entries;
    if (opts.json)
      json({ ...report, schemaVersion: 1, verification: checked.verification, decisions, journal: { file: journal, waiting } });
    else {
      printAudit(report, checked, reader.wf.spec.id);
      printStandings(decisions, subject);
      if (waiting.length) out('');
      for (const e of waiting)
        out(
          colors().yellow(
            `! a disable by ${e.actor} at ${e.time} (${e.reason}) ran — the switch read ${e.reading} — but is not in the ledger yet (${e.problem}); it waits in ${journal}`,
          ),
        );
    }
    return checked.verification.ok ? 0 : 1;
  } finally {
    await reader.close();
  }
}

/** audit verify: exit 0 when the lines, the chain, the signatures and every head held elsewhere agree; 1 naming the first bad event. */
export async function auditVerifyCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<AuditOptions>();
  const { reader, checked } = await verifyNamed(opts);
  try {
    const v = checked.verification;
    if (opts.json)
      json({
        schemaVersion: 1,
        store: reader.store.location,
        ...v,
        ...(checked.viewRejected ? { viewRejected: checked.viewRejected } : {}),
      });
    else for (const l of verdictLines(v, colors(), checked.viewRejected)) out(l);
    return v.ok ? 0 : 1;
  } finally {
    await reader.close();
  }
}

/** audit checkpoint: the head of a verifying ledger, signed with --key or FLIPGATE_SIGNING_KEY when given. */
export async function auditCheckpointCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<AuditOptions>();
  const keyFile = opts.key ?? process.env.FLIPGATE_SIGNING_KEY;
  const key = keyFile ? await readSigningKey(keyFile, opts.key ? '--key' : 'FLIPGATE_SIGNING_KEY') : undefined;
  const { reader, checked } = await verifyNamed(opts);
  try {
    const v = checked.verification;
    if (!v.ok) {
      // A checkpoint of a tampered ledger would vouch for it.
      const message = `no checkpoint of a ledger that does not verify: event ${v.problem!.seq} — ${v.problem!.detail}`;
      if (opts.json) json({ schemaVersion: 1, refused: { message }, verification: v });
      else process.stderr.write(`flipgate: refused: ${message} — run flipgate audit verify\n`);
      return 1;
    }
    const cp = makeCheckpoint(checked.last ? [checked.last] : [], { key });
    const text = `${JSON.stringify(cp, null, 2)}\n`;
    if (!opts.out) {
      process.stdout.write(text);
      return 0;
    }
    await writeFileAtomic(opts.out, text, 0o644).catch((e: NodeJS.ErrnoException) => {
      throw new ConfigError(`cannot write the checkpoint (${e.code ?? 'error'})`, {
        place: { file: opts.out, field: '--out' },
        fix: 'choose a writable path',
      });
    });
    if (opts.json) json({ schemaVersion: 1, written: opts.out, checkpoint: cp });
    else
      out(
        `checkpoint of ${cp.workflow} at event ${cp.seq} (${short(cp.hash)}) written to ${opts.out}${key ? `, signed with key ${keyId(key)}` : ', unsigned (pass --key to sign it)'}`,
      );
    return 0;
  } finally {
    await reader.close();
  }
}

// The workflow a copy is about: --workflow / FLIPGATE_WORKFLOW, else the source's only workflow.
async function copyWorkflow(opts: AuditOptions, from: string): Promise<string> {
  const file = opts.workflow;
  if (file) return (await loadWorkflow(file)).spec.id;
  const all = await storeWorkflows(from);
  if (all.length === 1) return all[0]!;
  if (!all.length)
    throw new ConfigError('the source ledger is empty or missing', {
      place: { file: from, field: '--from' },
      fix: 'check --from (the store given to --store, e.g. state/<workflow>.json, or a postgres:// URL)',
    });
  throw new ConfigError(`the source holds ${all.length} workflows (${all.join(', ')})`, {
    place: { field: '--from' },
    fix: 'pass --workflow FILE to say which one to copy',
  });
}

function printCopy(r: CopyResult): void {
  const c = colors();
  if (r.ok)
    out(
      `${c.green('✓')} copied ${r.copied} events of ${r.workflow} from ${r.from} to ${r.to}${r.alreadyThere ? ` (${r.alreadyThere} were already there)` : ''}; head #${r.head?.seq ?? 0} ${short(r.head?.hash)}`,
    );
  else out(`${c.red('✗')} ${r.problem}`);
  if (r.arrival) for (const l of verdictLines(r.arrival, c)) out(`  at arrival: ${l.trim()}`);
}

/** store copy --from A --to B: moves a ledger between backends unchanged and verifies it on arrival. */
export async function storeCopyCommand(cmd: Command): Promise<number> {
  const opts = cmd.optsWithGlobals<AuditOptions>();
  const publicKey = await verifyKey(opts);
  const workflow = await copyWorkflow(opts, opts.from!);
  // Copies keep every event as sealed (and signed) at the source: the destination signs nothing.
  const from = await openStore(opts.from!, workflow, { env: {} });
  try {
    const to = await openStore(opts.to!, workflow, { env: {} });
    try {
      const r = await copyLedger(from, to, { publicKey, workflow });
      if (opts.json) json({ schemaVersion: 1, ...r });
      else printCopy(r);
      return r.ok ? 0 : 1;
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

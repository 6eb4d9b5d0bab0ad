import { Command, CommanderError, Option } from 'commander';
import { applyProjectConfig } from './apply-config.js';
import { chooseColor } from './color.js';
import { settleShared, withShared } from './options.js';
import { reportError, usageError } from './report-error.js';

declare const FLIPGATE_VERSION: string;
const version = typeof FLIPGATE_VERSION === 'string' ? FLIPGATE_VERSION : '0.0.0-dev';

// biome-ignore lint/suspicious/noExplicitAny: each command takes its own positional arguments and options; commander supplies them.
type Handler = (...args: any[]) => Promise<number>;
type Use = 'format' | 'vouch';
type Uses = Use[];

/** Adds every shared option (src/cli/options.ts) and the command-specific groups a command uses. */
function withCommon(c: Command, uses: Uses = []): Command {
  withShared(c);
  if (uses.includes('format')) {
    // the reporter registry is not imported here: it would load every reporter before any command runs
    c.addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'junit']));
    c.option('--wide', 'never shorten a column (on a narrow terminal long evidence wraps instead)');
  }
  if (uses.includes('vouch')) {
    c.option(
      '--checkpoint <file>',
      'also fail when the ledger is shorter than, or diverges from, this checkpoint (a signed one also vouches for an adoption it covers)',
    );
    c.option('--adopted <seq:hash>', 'the head where signing began that you vouch for, after checking the unsigned events before it');
  }
  return c;
}

/** Wraps a lazily loaded command so that heavy modules load only when that command runs. */
function lazy(load: () => Promise<Handler>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    // commander passes the positional arguments, the options object, then the command itself.
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    const json = !!cmd.optsWithGlobals().json;
    try {
      await applyProjectConfig(cmd);
      settleShared(cmd);
      chooseColor(cmd.optsWithGlobals().color);
      process.exitCode = await (await load())(...positional, cmd);
    } catch (e) {
      process.exitCode = reportError(e, json);
    }
  };
}

export function buildProgram(opts: { json?: boolean } = {}): Command {
  const program = new Command('flipgate')
    .description('Take a production system from not-ready to live through explicit, proven gates.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run flipgate <command> --help for usage)')
    // Options go to the command they follow: `flipgate --root X status` (an alias's habit) and `flipgate status --root X` both work.
    .enablePositionalOptions()
    .exitOverride();
  withShared(program);
  const cmd = (name: string, uses: Uses = []) => withCommon(program.command(name), uses);
  // With --json a usage error is printed once, as JSON, by main(): commander's own lines would be noise on stderr.
  program.configureOutput({
    writeErr: (s) => (opts.json ? undefined : process.stderr.write(s.startsWith('error:') ? `flipgate: ${s}` : s)),
  });

  cmd('validate')
    .argument('[file]', 'workflow spec to validate (default: --workflow, $FLIPGATE_WORKFLOW, else the single file in ./machines/)')
    .description(
      'validate a workflow spec: schema, ids, blockedBy cycles, check kinds and fields, paths, regexes (and their worst case), SQL, modes (exit 2 on any problem)',
    )
    .action(lazy(async () => (await import('./commands/validate.js')).validateCommand));
  cmd('survey', ['format'])
    .description('run every check of every GAP and section (read-only) and print the GAP table; records the verdicts')
    .action(lazy(async () => (await import('./commands/workflow.js')).surveyCommand));
  cmd('status', ['format'])
    .description('where the workflow stands, from the store (no probing)')
    .action(lazy(async () => (await import('./commands/workflow.js')).statusCommand));
  cmd('advance')
    .description('probe the current gate and the kill switch, record it, and move one gate on if its GAPs are proven')
    .action(lazy(async () => (await import('./commands/workflow.js')).advanceCommand));
  cmd('schema')
    .description('print the JSON Schema of workflow specs (generated from the validator)')
    .option('--out <file>', 'write it to a file')
    .option('--check', 'exit 1 when the file (default schema/workflow.schema.json) is out of date or missing')
    .action(lazy(async () => (await import('./commands/schema.js')).schemaCommand));
  cmd('init')
    .argument('[id]', 'workflow id (default: the folder name)')
    .description('write a starter workflow (machines/<id>.yaml) whose $schema line gives editors completion and checks; never overwrites')
    .option('--out <file>', 'where to write it (default machines/<id>.yaml)')
    .action(lazy(async () => (await import('./commands/init.js')).initCommand));
  // ── sign-offs, the flip and the disable (src/cli/commands/decisions.ts) ──
  cmd('approve')
    .argument('<gap>', 'GAP id')
    .description("sign off a GAP's approval checks as --as (unauthenticated unless the spec requires signed approvals)")
    .option('--note <text>', 'why')
    .option(
      '--sign',
      'sign it with your SSH key (ssh-keygen -Y sign -n flipgate); required where the workflow says approvals: {signed: true}',
    )
    .option(
      '--key <file>',
      'the SSH key to sign with (or its .pub, with the key in ssh-agent); default $FLIPGATE_APPROVAL_KEY, else ~/.ssh/id_ed25519',
    )
    .action(lazy(async () => (await import('./commands/decisions.js')).approveCommand));
  cmd('revoke')
    .argument('<gap>', 'GAP id')
    .description("withdraw --as's approval of a GAP")
    .action(lazy(async () => (await import('./commands/decisions.js')).revokeCommand));
  cmd('approvals')
    .description('list approvals and waivers with their standing')
    .action(lazy(async () => (await import('./commands/decisions.js')).approvalsCommand));
  cmd('waive')
    .argument('<gap>', 'GAP id')
    .description('waive a GAP until a date, with a reason (refused where the spec says waivable: false)')
    .requiredOption('--until <date>', 'ISO 8601 date or time when the waiver expires')
    .requiredOption('--reason <text>', 'why the GAP may be waived')
    .option('--sign', 'sign it with your SSH key; required where the workflow says approvals: {signed: true}')
    .option('--key <file>', 'the SSH key to sign with (or its .pub, with the key in ssh-agent)')
    .action(lazy(async () => (await import('./commands/decisions.js')).waiveCommand));
  cmd('unwaive')
    .argument('<gap>', 'GAP id')
    .description("withdraw a GAP's waiver")
    .action(lazy(async () => (await import('./commands/decisions.js')).unwaiveCommand));
  cmd('flip', ['vouch'])
    .description('show the flip plan (every guard with its evidence); with --execute, re-survey and turn execution on')
    .option('--execute', 'run the flip (only from armed, with a fresh survey, the approvals and a verifying ledger)')
    .action(lazy(async () => (await import('./commands/decisions.js')).flipCommand));
  cmd('disable')
    .description('turn execution off from any state: run the disable command, verify the switch, record it')
    .requiredOption('--reason <text>', 'why')
    .action(lazy(async () => (await import('./commands/decisions.js')).disableCommand));
  cmd('resume')
    .description('leave halted when the kill switch reads safe; start over from the first gate not proven')
    .action(lazy(async () => (await import('./commands/decisions.js')).resumeCommand));
  cmd('watch')
    .description('re-survey on a schedule; report GAPs that reopen after the flip (and disable if the spec says so)')
    .option('--interval <seconds>', 'seconds between surveys (default: the spec, else 300)')
    .option('--once', 'survey once and exit')
    .action(lazy(async () => (await import('./commands/decisions.js')).watchCommand));

  // ── the audit ledger (src/cli/commands/audit.ts) ──
  const audit = cmd('audit', ['vouch'])
    .argument('[subject]', 'a GAP or gate id to narrow the timeline')
    .description('the ledger timeline: who or what closed (and reopened) each GAP, when, through which checks, on what evidence')
    .option('--actor <name>', 'only events by this actor')
    .option('--public-key <file>', 'ed25519 public key (PEM) the events are signed with (default: $FLIPGATE_VERIFY_KEY)')
    .action(lazy(async () => (await import('./commands/audit.js')).auditCommand));
  withCommon(audit.command('verify'), ['vouch'])
    .description(
      'check every line, the hash chain, the signatures and the heads kept elsewhere (witness, checkpoint, view); exit 1 naming the first bad event',
    )
    .option('--public-key <file>', 'ed25519 public key (PEM) that signed checkpoints or events (default: $FLIPGATE_VERIFY_KEY)')
    .action(lazy(async () => (await import('./commands/audit.js')).auditVerifyCommand));
  withCommon(audit.command('checkpoint'))
    .option('--adopted <seq:hash>', 'the head where signing began that you vouch for')
    .description('print the ledger head (workflow, sequence number, hash), signed when a key is configured')
    .option('--key <file>', 'ed25519 private key (PEM) to sign with (default: $FLIPGATE_SIGNING_KEY)')
    .option('--out <file>', 'write it to a file')
    .action(lazy(async () => (await import('./commands/audit.js')).auditCheckpointCommand));
  withCommon(program.command('store').description('move a ledger between backends').command('copy'))
    .requiredOption('--from <location>', 'source store (file path or postgres:// URL)')
    .requiredOption('--to <location>', 'destination store')
    .description('copy a ledger between stores and verify it on arrival')
    .action(lazy(async () => (await import('./commands/audit.js')).storeCopyCommand));

  // ── pictures (src/cli/commands/diagram.ts, serve.ts) ──
  cmd('diagram')
    .description('draw the gate graph from the statechart: Mermaid, DOT, SVG or HTML, optionally coloured with live status')
    .addOption(new Option('--format <format>', 'diagram format').choices(['mermaid', 'dot', 'svg', 'html']).default('mermaid'))
    .option('--status', 'colour GAPs and gates with their status from the store and mark the current state')
    .option('--out <file>', 'write to a file')
    .option('--check', 'exit 1 when a diagram under diagrams/ is out of date')
    .option('--write', 'regenerate every diagram under diagrams/')
    .action(lazy(async () => (await import('./commands/diagram.js')).diagramCommand));
  cmd('serve')
    .description('a read-only local dashboard: the coloured diagram, the GAP board, the ledger timeline, and a survey button')
    .option('--port <n>', 'port (default 4680; 0 picks a free one)')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .action(lazy(async () => (await import('./commands/serve.js')).serveCommand));

  // ── model assurance (src/cli/commands/model.ts) ──
  cmd('test')
    .argument('[file]', 'workflow spec (default: --workflow)')
    .description("generate path tests from the workflow's statechart and run them; prints state and transition coverage")
    .action(lazy(async () => (await import('./commands/model.js')).testCommand));
  cmd('check')
    .argument('[file]', 'workflow spec (default: --workflow)')
    .description('model-level findings: unreachable gates, unused GAPs, gates that can never pass, dead ends, an unreachable flip')
    .action(lazy(async () => (await import('./commands/model.js')).checkCommand));

  cmd('demo')
    .description(
      'build the O8 seed-state host in a temp folder with an embedded Postgres, survey it, provision and advance to armed, flip with two approvers, then disable',
    )
    .option('--keep', 'keep the temp host folder')
    .action(lazy(async () => (await import('./commands/demo.js')).demoCommand));
  return program;
}

/**
 * A reader that closes early (`flipgate approvals | head`) ends our output, not the command: writes
 * after that are dropped quietly and the exit code stays what the command decided (an approval
 * already recorded still exits 0). Any other write error is a real failure.
 */
function quietOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    let closed = false;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (closed || e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
        closed = true;
        return;
      }
      throw e;
    });
  }
}

/** --json anywhere before `--`: known before parsing, so that a usage error can honour it. */
const wantsJson = (args: string[]) => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
};

/** Runs the CLI; sets process.exitCode (0 ok/ready, 1 not ready/blocked/halted, 2 bad input). */
export async function main(argv = process.argv): Promise<void> {
  quietOnClosedOutput();
  const json = wantsJson(argv.slice(2));
  const program = buildProgram({ json });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help';
      process.exitCode = ok ? 0 : usageError(e, json);
      return;
    }
    process.exitCode = reportError(e, json);
  }
}

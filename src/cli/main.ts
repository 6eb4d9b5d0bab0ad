import { Command, CommanderError, Option } from 'commander';
import { reportError } from './io.js';

declare const FLIPGATE_VERSION: string;
const version = typeof FLIPGATE_VERSION === 'string' ? FLIPGATE_VERSION : '0.0.0-dev';

type Handler = (...args: any[]) => Promise<number>;

/** Wraps a lazily loaded command so that heavy modules load only when that command runs. */
function lazy(load: () => Promise<Handler>): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    // commander passes the positional arguments, the options object, then the command itself.
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2);
    const json = !!cmd.optsWithGlobals().json;
    try {
      process.exitCode = await (await load())(...positional, cmd);
    } catch (e) {
      process.exitCode = reportError(e, json);
    }
  };
}

export function buildProgram(): Command {
  const program = new Command('flipgate')
    .description('Take a production system from not-ready to live through explicit, proven gates.')
    .version(version, '-V, --version')
    .option('-w, --workflow <file>', 'workflow spec (default: $FLIPGATE_WORKFLOW, else the single file in ./machines/)')
    .option('--root <dir>', 'host root that file, dir, env.keys and file.contains paths resolve under', '/')
    .option('--store <path>', 'audit store: a file path or postgres:// URL (default: $FLIPGATE_STORE, else state/<workflow-id>.json)')
    .option('--as <actor>', 'who runs the command, recorded in the ledger (default: $FLIPGATE_ACTOR, else the OS user)')
    .option('--concurrency <n>', 'checks run at once (default 8)')
    .option('--timeout <ms>', 'per-check timeout in milliseconds (default 10000)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'markdown', 'junit']))
    .option('--json', 'same as --format json')
    .showHelpAfterError('(run flipgate --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `flipgate: ${s}` : s) });

  program
    .command('validate')
    .argument('<file>', 'workflow spec to validate')
    .description('validate a workflow spec: schema, ids, blockedBy cycles, check kinds and fields, regexes, modes (exit 2 on any problem)')
    .action(lazy(async () => (await import('./commands/validate.js')).validateCommand));
  program
    .command('survey')
    .description('run every check of every GAP and section (read-only) and print the GAP table; records the verdicts')
    .action(lazy(async () => (await import('./commands/workflow.js')).surveyCommand));
  program
    .command('status')
    .description('where the workflow stands, from the store (no probing)')
    .action(lazy(async () => (await import('./commands/workflow.js')).statusCommand));
  program
    .command('advance')
    .description('probe the current gate and the kill switch, record it, and move one gate on if its GAPs are proven')
    .action(lazy(async () => (await import('./commands/workflow.js')).advanceCommand));
  program
    .command('schema')
    .description('print the JSON Schema of workflow specs (generated from the validator)')
    .option('--out <file>', 'write it to a file')
    .option('--check', 'exit 1 when the file (default schema/workflow.schema.json) is out of date')
    .action(lazy(async () => (await import('./commands/schema.js')).schemaCommand));
  program
    .command('demo')
    .description('build the O8 seed-state host in a temp folder with an embedded Postgres, survey it, then provision and advance to armed')
    .option('--keep', 'keep the temp host folder')
    .action(lazy(async () => (await import('./commands/demo.js')).demoCommand));
  return program;
}

/** Runs the CLI; sets process.exitCode (0 ok/ready, 1 not ready/blocked/halted, 2 bad input). */
export async function main(argv = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e, false);
  }
}

import type { CommanderError } from 'commander';
import { type ConfigError, isConfigError, Refusal } from '../errors.js';

/** One problem for `--json` output: the whole line, where it is, and the fix on its own. */
export const problemJson = (x: ConfigError) => ({ message: x.message, ...x.place, ...(x.fix ? { fix: x.fix } : {}) });

/** Prints an error the user can act on: one line per problem, no stack trace. Returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  if (e instanceof Refusal) {
    if (json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, refused: { message: e.message } }, null, 2)}\n`);
    else process.stderr.write(`flipgate: refused: ${e.message}\n`);
    return 1;
  }
  if (isConfigError(e)) {
    const lines = e.message.split('\n');
    if (json) {
      const errors = 'errors' in e ? (e as unknown as { errors: ConfigError[] }).errors : [e];
      process.stdout.write(
        `${JSON.stringify({ schemaVersion: 1, error: { message: lines[0], problems: errors.map(problemJson) } }, null, 2)}\n`,
      );
    } else for (const l of lines) process.stderr.write(`flipgate: ${l}\n`);
    return 2;
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
  if (json) process.stdout.write(`${JSON.stringify({ schemaVersion: 1, error: { message: `internal error: ${msg}` } })}\n`);
  else process.stderr.write(`flipgate: internal error: ${msg}\n(run with FLIPGATE_DEBUG=1 for details; please report it)\n`);
  if (process.env.FLIPGATE_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  return 2;
}

/**
 * A usage error (unknown option or command, missing argument): exit 2. With --json it is one JSON
 * object on stdout, like every other error, and commander's own lines are not printed.
 */
export function usageError(e: CommanderError, json: boolean): number {
  if (json) {
    const message = e.message.replace(/^error: /, '');
    process.stdout.write(
      `${JSON.stringify(
        {
          schemaVersion: 1,
          error: { message, usage: true, code: e.code.replace(/^commander\./, ''), fix: 'run flipgate <command> --help for usage' },
        },
        null,
        2,
      )}\n`,
    );
  }
  return 2;
}

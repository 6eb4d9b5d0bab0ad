import { EscapesRootError, RemoteProtocolError } from '../errors.js';

/**
 * An operation on the target failed the way a local file-system call would. `code` is node's errno
 * word (ENOENT, EACCES, ENOTDIR, ELOOP, EIO, EISDIR) so probes handle a remote failure as they
 * handle a local one, or one of ETIMEDOUT (stopped at its deadline), ECANCELED, ENOTOOL (the tool
 * the check names is not on the target), ENOTREG (not a regular file, not read), ENOREALPATH (no realpath to check --root with) and
 * EFAILED (the tool failed; `message` says how).
 */
export class RemoteOpError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'RemoteOpError';
  }
}

/** What each operation's shell function printed: NUL-terminated tokens, and its exit status. */
export interface Frame {
  tokens: string[];
  status: number;
}

/** Where an operation runs, for its messages. */
export interface OpContext {
  target: string;
  root: string;
}

/** One operation in a batch: a shell function of the target-side library, its arguments, and a reader. */
export interface Op<T> {
  /** The name of the function in the target-side library (see library.ts). */
  fn: string;
  args: string[];
  /** Seconds its slowest part may take; the batch's deadline is the sum. */
  timeoutS: number;
  /**
   * It runs a program that takes a while (a tool's version command, gpg): it gets a session of its
   * own, beside the batch, so that the batch's quick operations do not wait for it.
   */
  alone?: boolean;
  read(tokens: string[], ctx: OpContext): T;
}

/**
 * Splits a batch's stdout into frames: "@i" opens operation i, "=status" closes it. Tokens never
 * contain NUL, and file names reach flipgate intact whatever bytes they hold (newlines included).
 */
export function splitFrames(stdout: Buffer, count: number, target: string): (Frame | undefined)[] {
  const frames: (Frame | undefined)[] = new Array(count).fill(undefined);
  const tokens = stdout.toString('utf8').split('\0');
  tokens.pop();
  let current: { i: number; tokens: string[] } | undefined;
  for (const t of tokens) {
    if (t.startsWith('@')) current = { i: Number(t.slice(1)), tokens: [] };
    else if (t.startsWith('=') && current) {
      frames[current.i] = { tokens: current.tokens, status: Number(t.slice(1)) };
      current = undefined;
    } else if (current) current.tokens.push(t);
    else throw new RemoteProtocolError(target, 'the target printed output outside any operation (a login script writing to stdout?)');
  }
  return frames;
}

/** The value of the first token with this tag ("p:/etc/x" → "/etc/x"), or undefined. */
export function tagged(tokens: string[], tag: string): string | undefined {
  const t = tokens.find((x) => x.startsWith(`${tag}:`));
  return t === undefined ? undefined : t.slice(tag.length + 1);
}

/** The common ends of an operation: the path escaped the root, or the call failed with a code. */
export function checkFailure(tokens: string[], ctx: OpContext, shown: string): void {
  const escaped = tagged(tokens, 'x');
  if (escaped !== undefined) throw new EscapesRootError(ctx.target, shown, ctx.root, escaped);
  const code = tagged(tokens, 'e');
  if (code !== undefined) throw new RemoteOpError(code, `${shown}: ${codeWords[code] ?? `failed on the target (${code})`}`, shown);
}

const codeWords: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  ENOTDIR: 'a parent is not a directory',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
  EISDIR: 'is a directory',
  ENOTREG: 'is not a regular file (a FIFO, a device or a socket is not read)',
  ETIMEDOUT: 'did not finish in time (stopped on the target)',
  ENOREALPATH: 'realpath is not on the target (coreutils, busybox and BSD have it) — flipgate needs it to keep paths inside --root',
};

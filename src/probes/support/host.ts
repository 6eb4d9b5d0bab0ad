import type { CommandRun, RunOptions } from './exec.js';

/**
 * Everything a probe may ask of the machine it checks. Probes never touch the file system or
 * start processes themselves: they go through a Host, so that the same probe runs against this
 * machine (`localHost`) or another one. Every operation returns plain data or a `HostError`, never
 * a Node object, and a secret never leaves an operation: `envKeys` gives names and an empty flag,
 * `findLines` gives line numbers, never the text.
 */
export interface Host {
  /** How paths are shown in messages: `/` or the `--root` folder. */
  readonly root: string;
  /** Which machine this is, as recorded in the ledger: `local`, or `ssh://[user@]host[:port]` (never a secret). */
  readonly target?: string;
  /** File metadata (following symbolic links inside the root); the file is never opened. */
  stat(path: string): Promise<HostResult<FileInfo>>;
  /** Whether a user or group (a name or a numeric id) exists on the host. */
  account(kind: 'user' | 'group', nameOrId: string): Promise<HostResult<{ exists: boolean; id?: number }>>;
  /** The entries of a directory, by name, with their type. */
  list(path: string): Promise<HostResult<{ entries: DirEntry[] }>>;
  /** Key names of a dotenv-style file and whether each value is empty; values are dropped while parsing. */
  envKeys(path: string): Promise<HostResult<{ keys: EnvKey[] }>>;
  /** The numbers of the lines where a regular expression (multiline) matches; stopped at the deadline. */
  findLines(path: string, pattern: string, opts: DeadlineOptions): Promise<HostResult<{ lines: number[] }>>;
  /** Runs argv, never through a shell, with a deadline (see runArgv). */
  run(argv: readonly string[], opts: RunOptions): Promise<CommandRun>;
  /**
   * Where a tool is: a bare name searched on PATH, or an absolute path checked as is. A host where
   * each step is a round trip may also run `version.args` there and then, and give the first line
   * it printed (the tool probe then does not run it again); this machine does not.
   */
  findTool(
    name: string,
    env: NodeJS.ProcessEnv,
    version?: { args: readonly string[]; timeoutMs: number },
  ): Promise<HostResult<{ path: string; version?: { firstLine: string } }>>;
  /** Fingerprints of the public keys in a GnuPG home (a spec path, or the account's default when undefined); the home is not written. */
  gpgKeys(home: string | undefined, opts: DeadlineOptions & { env: NodeJS.ProcessEnv }): Promise<HostResult<GpgKeys>>;
}

export interface DeadlineOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface FileInfo {
  type: 'file' | 'directory' | 'other';
  /** Permission bits as four octal digits, e.g. "0640". */
  mode: string;
  uid: number;
  gid: number;
  /** Account names, or undefined when the id has no name on the host. */
  owner?: string;
  group?: string;
}

export interface DirEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
}

export interface EnvKey {
  name: string;
  /** True for `KEY=`, `KEY=""`, `KEY=''` and a value of blanks or only a comment. */
  empty: boolean;
}

export interface GpgKeys {
  /** The home as shown in messages. */
  home: string;
  /** `missing`: the home does not exist; `no-keyring`: it holds no public keyring. */
  keyring: 'present' | 'missing' | 'no-keyring';
  primary: string[];
  all: string[];
}

export type HostErrorCode =
  | 'absent' // the path (or a parent) does not exist
  | 'escapes-root' // a symbolic link leads out of --root
  | 'bad-path' // not absolute, a ".." segment, a control character
  | 'denied' // permission denied
  | 'not-regular' // not a regular file (a directory, a device, a FIFO)
  | 'too-large'
  | 'timeout'
  | 'aborted'
  | 'bad-pattern'
  | 'unavailable' // a tool the operation needs is missing
  | 'unreachable' // the host itself cannot be reached or refused to run the operation (ssh, sudo)
  | 'io';

export interface HostError {
  ok: false;
  code: HostErrorCode;
  /** Words for evidence: names the path, never a value read from it. */
  detail: string;
}

export type HostResult<T> = ({ ok: true } & T) | HostError;

export const hostError = (code: HostErrorCode, detail: string): HostError => ({ ok: false, code, detail });

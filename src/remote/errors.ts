/**
 * Typed failures of a remote host. A probe that meets one reports ERROR (never a pass) with the
 * message; a connection-level failure makes every check on that host ERROR.
 */
export abstract class RemoteError extends Error {
  abstract readonly kind: string;
  /** The target as the operator named it (ssh://…). */
  readonly target: string;
  constructor(target: string, message: string) {
    super(`${target}: ${message}`);
    this.target = target;
  }
}

/** Why the SSH connection could not be made or was lost. */
export type SshFailureKind =
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'refused'
  | 'timeout'
  | 'dns'
  | 'unreachable'
  | 'auth'
  | 'bastion'
  | 'session-refused'
  | 'lost'
  | 'no-ssh'
  | 'failed';

/** The host could not be reached, or the connection went away: every check on it is ERROR. */
export class SshConnectError extends RemoteError {
  readonly kind: SshFailureKind;
  /** ssh's own words (one or two lines; ssh never prints a secret there). */
  readonly detail: string;
  constructor(target: string, kind: SshFailureKind, message: string, detail = '') {
    super(target, message);
    this.name = 'SshConnectError';
    this.kind = kind;
    this.detail = detail;
  }
}

/** `sudo -n` refused to run the batch (a password would be needed, no sudoers rule, no sudo). */
export class BecomeError extends RemoteError {
  readonly kind = 'become';
  readonly detail: string;
  constructor(target: string, detail: string) {
    super(
      target,
      `sudo -n refused to run the checks as root (${detail || 'no reason given'}) — allow this user passwordless sudo for the survey, or remove become: sudo`,
    );
    this.name = 'BecomeError';
    this.detail = detail;
  }
}

/** A path resolves, through a symbolic link, to a place outside `--root`. */
export class EscapesRootError extends RemoteError {
  readonly kind = 'escapes-root';
  constructor(
    target: string,
    readonly path: string,
    readonly root: string,
    readonly resolved: string,
  ) {
    super(target, `${path} escapes --root ${root} (it resolves to ${resolved})`);
    this.name = 'EscapesRootError';
  }
}

/** The target answered something flipgate cannot read (a non-POSIX login shell, a tool missing). */
export class RemoteProtocolError extends RemoteError {
  readonly kind = 'protocol';
  constructor(target: string, problem: string) {
    super(target, `${problem} — the target needs a POSIX login shell (sh, bash, dash, zsh, ksh) and coreutils`);
    this.name = 'RemoteProtocolError';
  }
}

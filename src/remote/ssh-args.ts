import type { SshTarget } from './target.js';

/** How flipgate's ssh clients are set up; everything else comes from the operator's ssh_config. */
export interface SshOptions {
  /** An ssh_config to read instead of ~/.ssh/config (`ssh -F`); unset, ssh reads the operator's own. */
  configFile?: string;
  /** Seconds to wait for the TCP connection and the server's banner (default 10). */
  connectTimeoutS?: number;
  /** Sessions at once over the one connection; keep it under the server's MaxSessions (default 10): default 8. */
  maxSessions?: number;
  /** Seconds the master stays up with nothing to do: a safety net should flipgate be killed outright (default 120). */
  idleExitS?: number;
  /** The ssh client to run (default `ssh` on PATH). */
  ssh?: string;
  /** A private key to offer (`ssh -i`), as an inventory's ansible_ssh_private_key_file names it. */
  identityFile?: string;
}

/**
 * Options on the command line win over any ssh_config, so these hold whatever the operator's
 * config says: no prompt (BatchMode), no unknown or changed host key accepted, known_hosts never
 * rewritten, and nothing of the operator's forwarded to the target (agent, X11, configured ports).
 */
export function baseArgs(target: SshTarget, controlPath: string, opts: SshOptions, forwarding = false): string[] {
  const o = (kv: string) => ['-o', kv];
  return [
    ...(opts.configFile ? ['-F', opts.configFile] : []),
    ...o('BatchMode=yes'),
    ...o('StrictHostKeyChecking=yes'),
    ...o('UpdateHostKeys=no'),
    ...o(`ConnectTimeout=${opts.connectTimeoutS ?? 10}`),
    ...o('ServerAliveInterval=10'),
    ...o('ServerAliveCountMax=3'),
    ...o('ForwardAgent=no'),
    ...o('ForwardX11=no'),
    ...o('PermitLocalCommand=no'),
    // A forward request to the master is itself a command-line -L, which this option would drop.
    ...(forwarding ? [] : o('ClearAllForwardings=yes')),
    // ssh expands %-tokens in ControlPath: a literal % in the temp folder's path is doubled.
    ...o(`ControlPath=${controlPath.replace(/%/g, '%%')}`),
    ...(opts.identityFile ? ['-i', opts.identityFile] : []),
    ...(target.user ? ['-l', target.user] : []),
    ...(target.port ? ['-p', String(target.port)] : []),
  ];
}

/** The destination, after `--` so that it can never be read as an option. */
export const destination = (target: SshTarget): string[] => ['--', target.host];

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runArgv } from '../probes/support/exec.js';

/** The demo's approvers, each with an SSH key of their own when ssh-keygen is on PATH. */
export const demoApprovers = ['governance-board', 'release-manager', 'ruling-alice', 'ruling-bob'] as const;

/**
 * An SSH key per approver under `root` and an allowed-signers file naming them (`root/allowed_signers`),
 * or undefined when ssh-keygen is not on PATH: the demo then runs with unsigned approvals.
 */
export async function approverKeys(root: string): Promise<Map<string, string> | undefined> {
  const keys = new Map<string, string>();
  const lines: string[] = [];
  for (const name of demoApprovers) {
    const file = path.join(root, 'approver-keys', name);
    const r = await runArgv(
      ['/bin/sh', '-c', 'mkdir -p "$(dirname "$1")" && ssh-keygen -q -t ed25519 -N "" -C "$2" -f "$1"', 'sh', file, name],
      { timeoutMs: 20_000 },
    );
    if (r.problem || r.exitCode !== 0) return undefined;
    keys.set(name, file);
    lines.push(`${name} namespaces="flipgate" ${(await readFile(`${file}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')}`);
  }
  await writeFile(path.join(root, 'allowed_signers'), `${lines.join('\n')}\n`);
  return keys;
}

/** A copy of the workflow in `root` that requires signed approvals against `root/allowed_signers`. */
export async function signedCopy(file: string, root: string): Promise<string> {
  const signed = path.join(root, path.basename(file));
  const text = await readFile(file, 'utf8');
  await writeFile(
    signed,
    text.replace(
      /^gates:$/m,
      '# signed approvals: each approver signs with an SSH key named in allowed_signers\napprovals: { signed: true, allowedSigners: allowed_signers }\ngates:',
    ),
  );
  return signed;
}

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export interface GlobalOptions {
  workflow?: string;
  root?: string;
  store?: string;
  as?: string;
  concurrency?: string;
  timeout?: string;
  json?: boolean;
  format?: string;
  color?: boolean;
  /** Never shorten a table column. */
  wide?: boolean;
  /** The machine the checks run on: local or ssh://… (see resolveTarget). */
  target?: string;
  config?: string;
  /** The folder of the project config in use, where ./machines/ and state/ are by default. */
  project?: string;
  /** Where the ledger's head is also kept (a file or a postgres:// URL). */
  witness?: string;
  /** On an ssh:// target: `sudo` runs checks and commands through sudo -n. */
  become?: string;
  /** An Ansible inventory, the hosts of it to probe, and how many at once. */
  inventory?: string;
  hosts?: string;
  forks?: string;
}

/** --workflow, else FLIPGATE_WORKFLOW, else the single workflow in machines/ (of the project config's folder, else this one). */
export async function resolveWorkflowFile(opts: GlobalOptions, env = process.env): Promise<string> {
  if (opts.workflow) return opts.workflow;
  if (env.FLIPGATE_WORKFLOW) return env.FLIPGATE_WORKFLOW;
  const dir = path.join(opts.project ?? '', 'machines');
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    // no machines/ folder here
  }
  if (files.length === 1) return path.join(dir, files[0]!);
  const shown = opts.project ? `${dir}/` : './machines/';
  throw new ConfigError(
    files.length
      ? `${shown} holds ${files.length} workflows (${files.join(', ')}) and none was chosen`
      : `no workflow given and ${shown} holds none`,
    {
      place: { field: '--workflow' },
      fix: 'pass --workflow FILE, set FLIPGATE_WORKFLOW, or write workflow: FILE in flipgate.config.yaml',
    },
  );
}

export function resolveStoreLocation(opts: GlobalOptions, workflowId: string, env = process.env): string {
  return opts.store ?? env.FLIPGATE_STORE ?? path.join(opts.project ?? '', 'state', `${workflowId}.json`);
}

export function intOption(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`expected an integer ≥ ${min}, found "${value}"`, {
      place: { field: name },
      fix: `pass ${name} ${Math.max(min, 1)} or more`,
    });
  return n;
}

/** `--adopted SEQ:HASH`: the head an operator vouches for where signing began. */
export function parseAdopted(value: string | undefined): { seq: number; hash: string } | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!m || Number(m[1]) < 1)
    throw new ConfigError(`expected SEQ:HASH (an event number and its 64-digit hash), found "${value}"`, {
      place: { field: '--adopted' },
      fix: 'copy it from what flipgate audit verify prints at the adoption boundary',
    });
  return { seq: Number(m[1]), hash: m[2]! };
}

import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { type Checkpoint, parseCheckpoint } from '../store/checkpoint.js';
import type { Head } from '../store/types.js';
import { parseAdopted } from './resolve.js';

async function readCheckpointFile(file: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      place: { file, field: '--checkpoint' },
      fix: 'pass the file written by flipgate audit checkpoint --out',
    });
  }
  return parseCheckpoint(text, file);
}

/** What the operator vouches for on the command line: `--checkpoint FILE` and `--adopted SEQ:HASH`. */
export async function vouchers(opts: { checkpoint?: string; adopted?: string }): Promise<{ checkpoint?: Checkpoint; adopted?: Head }> {
  const checkpoint = opts.checkpoint ? await readCheckpointFile(opts.checkpoint) : undefined;
  const adopted = parseAdopted(opts.adopted);
  return { ...(checkpoint ? { checkpoint } : {}), ...(adopted ? { adopted } : {}) };
}

import { parse } from 'yaml';
import { digest, sha256 } from '../support/digest.js';
import { expandGroups, normalizeSpecNames } from './groups.js';
import { interpolate } from './interpolate.js';
import type { LoadedWorkflow } from './load.js';
import type { Workflow } from './schema.js';

/**
 * The workflow file read without validating it: YAML parsed, `${VARS}` resolved, names normalised, groups expanded,
 * hashed as loadWorkflow hashes it. Believe it only when its hash is one the ledger anchored: a command
 * that recorded validated exactly that spec then. `status` uses this to stay off zod; every command that
 * decides anything loads the workflow with loadWorkflow. Undefined when the text does not even parse.
 */
export function readUnvalidated(text: string, file: string, env: NodeJS.ProcessEnv): LoadedWorkflow | undefined {
  try {
    const raw = parse(text, { uniqueKeys: true }) as unknown;
    const { value, vars, issues } = interpolate(raw, env);
    if (issues.length || !value || typeof value !== 'object' || typeof (value as { id?: unknown }).id !== 'string') return undefined;
    const spec = expandGroups(normalizeSpecNames(value as Workflow));
    return { file, spec, vars, hash: digest(spec), sourceHash: sha256(text) };
  } catch {
    return undefined;
  }
}

import { approvalProbe } from './approval.js';
import { commandProbe } from './command.js';
import { dirProbe } from './dir.js';
import { envKeysProbe } from './env-keys.js';
import { fileProbe } from './file.js';
import { fileContainsProbe } from './file-contains.js';
import { gpgKeyProbe } from './gpg-key.js';
import { postgresQueryProbe } from './postgres-query.js';
import { postgresRoleProbe } from './postgres-role.js';
import { postgresSchemaProbe } from './postgres-schema.js';
import { toolProbe } from './tool.js';
import type { ProbeKind } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own parameter schema; the registry holds them all side by side.
type AnyProbeKind = ProbeKind<any>;

/** Every check kind by name. Adding a kind: one file in this folder, one line here, one test. */
export const probes = {
  'postgres.role': postgresRoleProbe,
  'postgres.schema': postgresSchemaProbe,
  'postgres.query': postgresQueryProbe,
  file: fileProbe,
  dir: dirProbe,
  'env.keys': envKeysProbe,
  'file.contains': fileContainsProbe,
  command: commandProbe,
  tool: toolProbe,
  'gpg.key': gpgKeyProbe,
  approval: approvalProbe,
} as const satisfies Record<string, AnyProbeKind>;

export type ProbeKindName = keyof typeof probes;
export const probeKinds = Object.keys(probes) as ProbeKindName[];

export function probeFor(kind: string): AnyProbeKind | undefined {
  return (probes as Record<string, AnyProbeKind>)[kind];
}

export type { CheckResult, CheckStatus, ProbeContext, Signoff } from './types.js';

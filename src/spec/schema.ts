import { z } from 'zod';
import { type ProbeKindName, probeKinds, probes } from '../probes/index.js';
import type { ProbeKind } from '../probes/types.js';

import { idPattern } from './ids.js';

export { idPattern };

const id = z.string().regex(idPattern, { error: 'must start with a letter and hold only letters, digits, - and _ (like GAP-3 or G2)' });
const title = z.string().min(1);
const argv = z.array(z.string().min(1)).min(1);

const checkBase = {
  id,
  title: title.optional(),
  /** Per-check timeout in milliseconds; defaults to --timeout. */
  timeoutMs: z.number().int().positive().optional(),
};

/** Each kind's parameter fields, built once from its definition. */
export const paramShapes = Object.fromEntries(probeKinds.map((kind) => [kind, probes[kind].params(z) as z.ZodRawShape])) as Record<
  ProbeKindName,
  z.ZodRawShape
>;

const checkSchemas = probeKinds.map((kind) =>
  z.strictObject({ kind: z.literal(kind), ...checkBase, ...paramShapes[kind] }).describe(probes[kind].summary),
);

type ParamsOf<K extends ProbeKindName> = (typeof probes)[K] extends ProbeKind<infer P> ? P : never;
interface CheckBase {
  id: string;
  title?: string | undefined;
  timeoutMs?: number | undefined;
}
/** One check: its kind, its id and the kind's parameters. */
export type Check = { [K in ProbeKindName]: { kind: K } & CheckBase & z.infer<z.ZodObject<ParamsOf<K>>> }[ProbeKindName];

// The union is built from the registry, so its static type is spelled out by `Check` above.
// The id makes the JSON Schema define a check once (under $defs) and refer to it wherever checks appear.
export const checkSchema = z
  .discriminatedUnion('kind', checkSchemas as unknown as [z.ZodObject, ...z.ZodObject[]])
  .meta({ id: 'check' }) as unknown as z.ZodType<Check>;

// ── Decisions: who may waive, and the kill switch's two readings ──────────────────────────────
// Names here (principals, groups' members, waivers.by) follow the principal rule of principal.ts;
// semantics.ts checks them, and load.ts stores them normalised.

const principalList = z.array(z.string().min(1)).min(1);
const maxDays = z.number().int().min(1).max(366);

export const waiverRulesSchema = z
  .strictObject({
    by: principalList.describe('who may waive and unwaive: principals and "@group"s; without it waivers are refused'),
    maxDays: maxDays
      .optional()
      .describe('a waiver ends at the latest at the end of the day (UTC) this many days after it is given (default 30)'),
  })
  .describe('who may waive GAPs, and for how long at most');

export const gapWaiversSchema = z
  .strictObject({
    by: principalList.optional().describe("who may waive this GAP: a subset of the workflow's waivers.by"),
    maxDays: maxDays.optional().describe("at most the workflow's maxDays"),
  })
  .describe("narrows the workflow's waivers for this GAP");

/** The kill switch: its own check passes while execution is disabled (safe); `enabled` passes once it is on. */
export type KillSwitch = Check & { enabled?: Check | undefined };

const killSwitchSchemas = probeKinds.map((kind) =>
  z
    .strictObject({
      kind: z.literal(kind),
      ...checkBase,
      ...paramShapes[kind],
      enabled: checkSchema.optional().describe('passes when execution is ON: positive evidence that the flip took effect'),
    })
    .describe(probes[kind].summary),
);
export const killSwitchSchema = (
  z.discriminatedUnion('kind', killSwitchSchemas as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<KillSwitch>
).describe('passing means execution is still disabled (the safe state); enabled: a second check that passes when execution is on');

/** The kill switch's safe check (without its `enabled` part) and its enabled check, if the spec has one. */
export function killSwitchChecks(spec: { killSwitch: KillSwitch }): { safe: Check; enabled: Check | undefined } {
  const { enabled, ...safe } = spec.killSwitch;
  return { safe: safe as Check, enabled };
}

// ──────────────────────────────────────────────────────────────────────────────────────────────

export const gapSchema = z.strictObject({
  id,
  title,
  checks: z.array(checkSchema).min(1),
  blockedBy: z.array(id).optional(),
  waivable: z.boolean().optional().describe('false forbids waivers of this GAP; a GAP with an approval check needs true to be waived'),
  waivers: gapWaiversSchema.optional(),
  notes: z.string().optional(),
});

export const gateSchema = z.strictObject({
  id,
  title,
  requires: z.array(id).min(1),
  notes: z.string().optional(),
});

export const sectionSchema = z.strictObject({ id, title, checks: z.array(checkSchema).min(1) });

export const workflowSchema = z.strictObject({
  $schema: z.string().optional(),
  id,
  title,
  description: z.string().optional(),
  vars: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
    .optional()
    .describe('defaults for ${NAME}; the environment overrides them'),
  killSwitch: killSwitchSchema,
  gates: z.array(gateSchema).min(1),
  gaps: z.array(gapSchema).min(1),
  sections: z.array(sectionSchema).optional(),
  flip: z.strictObject({ command: argv, timeoutMs: z.number().int().positive().optional() }).optional(),
  disable: z.strictObject({ command: argv, timeoutMs: z.number().int().positive().optional() }).optional(),
  groups: z
    .record(id, principalList)
    .optional()
    .describe('named groups of principals; approval principals and waivers.by may list "@group"'),
  waivers: waiverRulesSchema.optional(),
  approvals: z
    .strictObject({
      signed: z.boolean().optional().describe('approvals count only when signed by a key in allowedSigners'),
      allowedSigners: z.string().optional().describe('file of "principal ssh-ed25519 AAAA…" lines, relative to the workflow file'),
    })
    .optional(),
  watch: z
    .strictObject({ onReopen: z.enum(['report', 'disable']).optional(), intervalSeconds: z.number().positive().optional() })
    .optional(),
  ledger: z
    .strictObject({
      witness: z
        .string()
        .min(1)
        .optional()
        .describe(
          'a second place that receives the ledger head after every recorded event: a file path (relative to this file) or a postgres:// URL',
        ),
    })
    .optional(),
});

export type Workflow = z.infer<typeof workflowSchema>;
export type Gap = z.infer<typeof gapSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type Section = z.infer<typeof sectionSchema>;

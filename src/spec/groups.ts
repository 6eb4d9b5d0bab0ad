import { principalKey } from './principal.js';
import type { Workflow } from './schema.js';

/** Replaces "@group" in approval principals with the group's members. */
export function expandGroups(spec: Workflow): Workflow {
  const groups = spec.groups ?? {};
  for (const g of spec.gaps) {
    for (const c of g.checks) {
      if (c.kind === 'approval' && c.principals)
        c.principals = [...new Set(c.principals.flatMap((p) => (p.startsWith('@') ? (groups[p.slice(1)] ?? []) : [p])))];
    }
  }
  return spec;
}

/**
 * Writes every name of a spec that passed checkDecisionRules in its normalised form (`Alice` →
 * `alice`; `@group` references stay), so that the rest of flipgate, and the spec's hash, see one
 * spelling per person.
 */
export function normalizeSpecNames(spec: Workflow): Workflow {
  const norm = (list: string[]) => list.map((p) => (p.trim().startsWith('@') ? p.trim() : (principalKey(p) ?? p)));
  for (const g of Object.keys(spec.groups ?? {})) spec.groups![g] = norm(spec.groups![g]!);
  if (spec.waivers) spec.waivers.by = norm(spec.waivers.by);
  for (const gap of spec.gaps) {
    if (gap.waivers?.by) gap.waivers.by = norm(gap.waivers.by);
    for (const c of gap.checks) if (c.kind === 'approval' && c.principals) c.principals = norm(c.principals);
  }
  return spec;
}

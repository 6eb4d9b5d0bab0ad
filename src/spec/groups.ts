import type { Workflow } from './schema.js';

/** Replaces "@group" in approval principals with the group's members. */
export function expandGroups(spec: Workflow): Workflow {
  const groups = spec.groups ?? {};
  for (const g of spec.gaps) {
    for (const c of g.checks) {
      if (c.kind === 'approval' && c.principals) c.principals = [...new Set(c.principals.flatMap((p) => (p.startsWith('@') ? (groups[p.slice(1)] ?? []) : [p])))];
    }
  }
  return spec;
}

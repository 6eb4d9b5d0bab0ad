import type { IssueText } from './issues.js';
import { closest, type Path } from './locate.js';
import { checkPrincipal, principalKey, principalProblem } from './principal.js';
import type { Workflow } from './schema.js';
import { defaultWaiverDays, hasApprovalCheck } from './waivers.js';

/**
 * The spec rules about people and decisions: every name follows the principal rule, a list names
 * each person once (two spellings of one name are one person, so `[alice, Alice]` is a mistake),
 * `@group`s exist, a quorum can be reached by the principals allowed to give it, a GAP's waivers
 * only narrow the workflow's, and the kill switch's enabled check has an id of its own.
 */
export function checkDecisionRules(wf: Workflow): IssueText[] {
  const out: IssueText[] = [];
  const groups = wf.groups ?? {};
  const groupIds = Object.keys(groups);

  /** Checks one list of names (with `@group`s where `refs` allows them); returns the principals it stands for. */
  const names = (list: readonly string[], at: Path, refs: boolean): Set<string> => {
    const seen = new Map<string, number>();
    const members = new Set<string>();
    for (const [i, raw] of list.entries()) {
      if (raw.trim().startsWith('@')) {
        const ref = raw.trim().slice(1);
        if (!refs) {
          out.push({
            path: [...at, i],
            problem: `groups cannot contain other groups — list the members of "${raw.trim()}" here`,
          });
          continue;
        }
        if (!groupIds.includes(ref)) {
          const guess = closest(ref, groupIds);
          out.push({
            path: [...at, i],
            problem: `group "${ref}" is not defined — ${guess ? `did you mean "@${guess}"? ` : ''}add it under groups: (known: ${groupIds.join(', ') || 'none'})`,
          });
          continue;
        }
        if (seen.has(raw.trim()))
          out.push({ path: [...at, i], problem: `"${raw}" is listed twice (first at [${seen.get(raw.trim())}]) — list it once` });
        seen.set(raw.trim(), i);
        for (const m of groups[ref]!) {
          const k = principalKey(m);
          if (k) members.add(k);
        }
        continue;
      }
      const r = checkPrincipal(raw);
      if (!r.ok) {
        out.push({ path: [...at, i], problem: principalProblem(r.problem) });
        continue;
      }
      const first = seen.get(r.principal);
      if (first !== undefined) {
        const again =
          list[first] === raw ? 'is listed twice' : `names ${r.principal} again (listed at [${first}] as ${JSON.stringify(list[first])})`;
        out.push({ path: [...at, i], problem: `${JSON.stringify(raw)} ${again} — list each person once` });
      }
      seen.set(r.principal, i);
      members.add(r.principal);
    }
    return members;
  };

  for (const [g, members] of Object.entries(groups)) names(members, ['groups', g], false);

  for (const [gi, gap] of wf.gaps.entries()) {
    for (const [ci, c] of gap.checks.entries()) {
      if (c.kind !== 'approval' || !c.principals) continue;
      const at: Path = ['gaps', gi, 'checks', ci];
      const allowed = names(c.principals, [...at, 'principals'], true);
      if (c.principals.some((p) => p.trim().startsWith('@') && !groupIds.includes(p.trim().slice(1)))) continue;
      if (c.min > allowed.size) {
        out.push({
          path: [...at, 'min'],
          problem: `a quorum of ${c.min} can never be reached: only ${allowed.size} distinct principal${allowed.size === 1 ? '' : 's'} may give it (${[...allowed].sort().join(', ')}) — lower min to at most ${allowed.size}, or add principals`,
        });
      }
    }
  }

  const workflowBy = wf.waivers ? names(wf.waivers.by, ['waivers', 'by'], true) : undefined;
  const workflowDays = wf.waivers?.maxDays ?? defaultWaiverDays;
  wf.gaps.forEach((gap, gi) => {
    const w = gap.waivers;
    if (!w) return;
    const at: Path = ['gaps', gi, 'waivers'];
    if (gap.waivable === false)
      out.push({ path: at, problem: `${gap.id} says waivable: false and also sets waivers: — remove one of the two` });
    else if (hasApprovalCheck(gap) && gap.waivable !== true) {
      out.push({
        path: at,
        problem: `${gap.id} has an approval check, so it is not waivable unless it says so — add waivable: true to ${gap.id}, or remove waivers:`,
      });
    }
    if (w.by) {
      const by = names(w.by, [...at, 'by'], true);
      const outside = workflowBy ? [...by].filter((p) => !workflowBy.has(p)) : [];
      if (outside.length) {
        out.push({
          path: [...at, 'by'],
          problem: `${outside.join(', ')} may not waive under the workflow's waivers.by (${wf.waivers!.by.join(', ')}); a GAP's waivers may only narrow it — remove ${outside.length === 1 ? 'that name, or add it' : 'those names, or add them'} to the workflow's waivers.by`,
        });
      }
    }
    if (w.maxDays !== undefined && wf.waivers && w.maxDays > workflowDays) {
      out.push({
        path: [...at, 'maxDays'],
        problem: `${w.maxDays} days is longer than the workflow's waivers.maxDays (${workflowDays}${wf.waivers.maxDays === undefined ? ', the default' : ''}); a GAP's waivers may only narrow it — give at most ${workflowDays}`,
      });
    }
  });

  const enabled = wf.killSwitch.enabled;
  if (enabled?.id === wf.killSwitch.id) {
    out.push({
      path: ['killSwitch', 'enabled', 'id'],
      problem: `the enabled check needs an id of its own (the safe check is "${enabled.id}") — name it like ${enabled.id}-enabled`,
    });
  }
  return out;
}

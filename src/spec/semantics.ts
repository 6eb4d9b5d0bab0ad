import { probeFor } from '../probes/index.js';
import { checkDecisionRules } from './decision-rules.js';
import type { IssueText } from './issues.js';
import { closest, type Path } from './locate.js';
import { type Check, killSwitchChecks, type Workflow } from './schema.js';

/** Checks the schema cannot express: unknown and duplicate ids, blockedBy cycles, parameter lint. */
export function checkSemantics(wf: Workflow): IssueText[] {
  const out: IssueText[] = [];
  const gapIds = wf.gaps.map((g) => g.id);

  const dupes = (items: { id: string }[], at: string, what: string) => {
    const seen = new Map<string, number>();
    items.forEach((it, i) => {
      const first = seen.get(it.id);
      if (first !== undefined)
        out.push({
          path: [at, i, 'id'],
          problem: `duplicate ${what} id "${it.id}" (first at ${at}[${first}]) — give each ${what} its own id`,
        });
      else seen.set(it.id, i);
    });
  };
  dupes(wf.gaps, 'gaps', 'GAP');
  dupes(wf.gates, 'gates', 'gate');
  if (wf.sections) dupes(wf.sections, 'sections', 'section');

  const unknownGap = (ref: string, path: Path) => {
    if (gapIds.includes(ref)) return;
    const guess = closest(ref, gapIds);
    out.push({
      path,
      problem: `"${ref}" is not a GAP of this workflow — ${guess ? `did you mean "${guess}"?` : `define it under gaps: (known: ${gapIds.join(', ')})`}`,
    });
  };

  wf.gates.forEach((gate, gi) => {
    const seen = new Set<string>();
    gate.requires.forEach((ref, ri) => {
      unknownGap(ref, ['gates', gi, 'requires', ri]);
      if (seen.has(ref)) out.push({ path: ['gates', gi, 'requires', ri], problem: `"${ref}" is listed twice — list it once` });
      seen.add(ref);
    });
  });

  wf.gaps.forEach((gap, gi) => {
    gap.blockedBy?.forEach((ref, bi) => {
      if (ref === gap.id) out.push({ path: ['gaps', gi, 'blockedBy', bi], problem: `${gap.id} cannot be blocked by itself — remove it` });
      else unknownGap(ref, ['gaps', gi, 'blockedBy', bi]);
    });
  });
  const cycle = findCycle(wf);
  if (cycle) {
    const gi = wf.gaps.findIndex((g) => g.id === cycle[0]);
    out.push({
      path: ['gaps', gi, 'blockedBy'],
      problem: `blockedBy forms a cycle ${cycle.join(' → ')} — no GAP in it could ever close; remove one of these edges`,
    });
  }

  const lintChecks = (checks: Check[], at: Path) => {
    const seen = new Map<string, number>();
    checks.forEach((c, ci) => {
      const first = seen.get(c.id);
      if (first !== undefined)
        out.push({
          path: [...at, ci, 'id'],
          problem: `duplicate check id "${c.id}" (first at checks[${first}]) — check ids must be unique within their GAP or section`,
        });
      else seen.set(c.id, ci);
      lintCheck(c, [...at, ci], out);
    });
  };
  for (const [gi, g] of wf.gaps.entries()) lintChecks(g.checks, ['gaps', gi, 'checks']);
  for (const [si, s] of (wf.sections ?? []).entries()) lintChecks(s.checks, ['sections', si, 'checks']);
  const { safe, enabled } = killSwitchChecks(wf);
  for (const [c, at] of [
    [safe, ['killSwitch']],
    [enabled, ['killSwitch', 'enabled']],
  ] as const) {
    if (!c) continue;
    lintCheck(c, at, out);
    if (c.kind === 'approval')
      out.push({
        path: [...at, 'kind'],
        problem: 'the kill switch must be read from the host, not from sign-offs — use file.contains, command or postgres.query',
      });
  }
  out.push(...checkDecisionRules(wf));
  if (wf.approvals?.signed && !wf.approvals.allowedSigners)
    out.push({ path: ['approvals'], key: 'signed', problem: 'signed approvals need an allowed-signers file — add allowedSigners: FILE' });
  return out;
}

function lintCheck(c: Check, at: Path, out: IssueText[]) {
  const probe = probeFor(c.kind);
  for (const l of probe?.lint?.(c as never) ?? []) out.push({ path: [...at, l.field], problem: l.problem });
}

/** A blockedBy cycle as a list of GAP ids (first repeated at the end), or undefined. */
export function findCycle(wf: Workflow): string[] | undefined {
  const edges = new Map(wf.gaps.map((g) => [g.id, (g.blockedBy ?? []).filter((b) => b !== g.id)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      const c = visit(next);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const c = visit(id);
    if (c) return c;
  }
  return undefined;
}

import type { AnyStateMachine } from 'xstate';
import { LineCounter, parseDocument } from 'yaml';
import type { Place } from '../errors.js';
import { buildMachine } from '../machine/build.js';
import type { MachinePlan } from '../machine/plan.js';
import { topState } from '../machine/state.js';
import { locate, type Path } from '../spec/locate.js';
import type { Workflow } from '../spec/schema.js';
import { modelEvents } from './events.js';
import { exploreModel, type ModelGraph } from './explore.js';

export type FindingKind = 'unreachable-gate' | 'unused-gap' | 'gate-never-passes' | 'dead-end' | 'flip-unreachable';

/** A model-level problem: what the statechart built from the spec can never do. */
export interface ModelFinding {
  kind: FindingKind;
  /** The gate, GAP or state it is about. */
  subject: string;
  message: string;
  fix: string;
  place: Place;
}

export interface CheckInput {
  spec: Workflow;
  /** The spec's file name and text, to name line and column. */
  file: string;
  text?: string;
  /** A variant of the workflow's machine to check instead of the one built from the spec. */
  machine?: AnyStateMachine;
}

/** Why a GAP can never be proven where the machine waits for it: blockers only a later gate (or no gate) proves. */
function lateCause(spec: Workflow, plan: MachinePlan, gap: string): { text: string; path: Path } | undefined {
  const info = plan.gaps.get(gap);
  const late = info?.lateBlockers ?? [];
  if (!late.length) return undefined;
  const gi = spec.gaps.findIndex((g) => g.id === gap);
  const bi = (spec.gaps[gi]?.blockedBy ?? []).indexOf(late[0]!);
  const where = late.map((b) => {
    const home = plan.gaps.get(b)?.home;
    return home ? `${b}, which only the later gate ${home} requires` : `${b}, which no gate requires`;
  });
  return { text: `${gap} is blockedBy ${where.join(' and ')}`, path: ['gaps', gi, 'blockedBy', bi] };
}

/**
 * Model-level findings from the statechart's graph: gates no path reaches, GAPs no gate requires,
 * gates that can never be passed, dead ends other than flipped and halted, and a flip no path reaches.
 * Each finding names its place in the spec (file, line, column, field).
 * @example
 * const findings = checkModel({ spec: wf.spec, file: wf.file, text: await readFile(wf.file, 'utf8') });
 * findings.map((f) => f.message);
 */
export function checkModel(input: CheckInput): ModelFinding[] {
  const { spec, file } = input;
  const { machine: built, plan } = buildMachine(spec);
  const graph = exploreModel(input.machine ?? built, modelEvents(plan));
  const lines = new LineCounter();
  const doc = input.text !== undefined ? parseDocument(input.text, { lineCounter: lines }) : undefined;
  const at = (path: Path, key?: string): Place =>
    doc ? locate(doc, lines, file, path, key) : { file, field: [...path, ...(key ? [key] : [])].join('.') };
  const gateAt = (gate: string): Path => ['gates', spec.gates.findIndex((g) => g.id === gate), 'id'];
  // Passing the last gate arms the flip: a flip problem is placed at `flip:`, else at the last gate.
  const atFlip = () => (spec.flip ? at([], 'flip') : at(gateAt(spec.gates[spec.gates.length - 1]!.id)));
  const findings: ModelFinding[] = [];
  const reached = (label: string) => graph.reachable.has(label);
  const gateReached = (gate: string) => [...graph.reachable.keys()].some((s) => topState(s) === gate);

  // Gates reached but never passed; the first one explains what lies beyond it.
  let stuck: string | undefined;
  for (const step of plan.steps) {
    if (!gateReached(step.gate) || reached(`${step.gate}.passed`)) continue;
    stuck ??= step.gate;
    const waiting = step.gaps.find(
      (g) => reached(`${step.gate}.${g}`) && !reached(`${step.gate}.${step.gaps[step.gaps.indexOf(g) + 1] ?? 'passed'}`),
    );
    const cause = waiting ? lateCause(spec, plan, waiting) : undefined;
    findings.push({
      kind: 'gate-never-passes',
      subject: step.gate,
      message: `gate ${step.gate} can never be passed: ${cause ? cause.text : `no verdict moves it past ${waiting ?? 'its GAPs'}`}`,
      fix: cause ? `require the blocker in ${step.gate} or an earlier gate, or drop it from blockedBy` : `check the guards of ${step.gate}`,
      place: at(cause?.path ?? gateAt(step.gate)),
    });
  }
  const because = stuck ? ` (gate ${stuck} can never be passed)` : '';

  for (const step of plan.steps) {
    if (gateReached(step.gate)) continue;
    findings.push({
      kind: 'unreachable-gate',
      subject: step.gate,
      message: `gate ${step.gate} is unreachable: no path from the first gate gets there${because}`,
      fix: stuck ? `fix gate ${stuck} first` : 'check the order of the gates',
      place: at(gateAt(step.gate)),
    });
  }

  spec.gaps.forEach((gap, gi) => {
    if (graph.states.some((s) => s.split('.')[1] === gap.id)) return;
    findings.push({
      kind: 'unused-gap',
      subject: gap.id,
      message: `${gap.id} is required by no gate: no state waits for it, yet the flip needs it CLOSED`,
      fix: `add ${gap.id} to the requires of a gate, or remove it`,
      place: at(['gaps', gi, 'id']),
    });
  });

  for (const label of deadEnds(graph)) {
    const [top, sub] = label.split('.') as [string, string | undefined];
    const cause = sub && sub !== 'passed' ? lateCause(spec, plan, sub) : undefined;
    const gi = spec.gates.findIndex((g) => g.id === top);
    const ri = sub ? (spec.gates[gi]?.requires ?? []).indexOf(sub) : -1;
    findings.push({
      kind: 'dead-end',
      subject: label,
      message: `dead end at ${label}: the only way out is halted (disable or the kill switch)${cause ? `, since ${cause.text}` : ''}`,
      fix: cause ? 'require the blocker in an earlier gate, or drop it from blockedBy' : `give ${label} a way on`,
      place: gi < 0 ? atFlip() : at(ri >= 0 ? ['gates', gi, 'requires', ri] : gateAt(top)),
    });
  }

  if (!reached('flipped')) {
    const why = !reached('armed')
      ? `the workflow is never armed${because}`
      : !reached('flipping')
        ? 'from armed, no flip.start passes its guard, even with every GAP CLOSED'
        : 'the flip never completes';
    findings.push({
      kind: 'flip-unreachable',
      subject: 'flipped',
      message: `no path reaches the flip: ${why}`,
      fix: stuck ? `fix gate ${stuck} first` : 'check the flip guard',
      place: atFlip(),
    });
  }
  return findings.sort((a, b) => (a.place.line ?? 0) - (b.place.line ?? 0) || (a.place.column ?? 0) - (b.place.column ?? 0));
}

/** Reachable states other than flipped and halted whose every transition leads to halted (or nowhere). */
export function deadEnds(graph: ModelGraph): string[] {
  return [...graph.reachable]
    .filter(
      ([label, edges]) =>
        label !== 'flipped' && label !== 'halted' && [...edges.values()].every((e) => e.to === 'halted' || e.to === label),
    )
    .map(([label]) => label);
}

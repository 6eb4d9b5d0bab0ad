import type { MachinePlan } from '../machine/plan.js';
import type { WorkflowEvent } from '../machine/types.js';
import { eventKey, eventLabel, flipStarts, modelReadings, modelStatuses } from './events.js';
import { edgeOf, type ModelGraph, type TransitionUnit } from './explore.js';

/** One step of a path: the event sent and the state the model expects after it. */
export interface ModelStep {
  event: WorkflowEvent;
  expected: string;
}

/**
 * One generated test: the shortest route from the initial state to `via` (an array shared by every
 * path through that state), then the steps after it.
 */
export interface ModelPath {
  /** The event sequence, e.g. `GAP-1 CLOSED → GAP-2 CLOSED → gate.advance → disable`. */
  name: string;
  via: string;
  head: readonly ModelStep[];
  tail: readonly ModelStep[];
  length: number;
}

/** Every step of a path, in order. */
export const pathSteps = (p: ModelPath): ModelStep[] => [...p.head, ...p.tail];

export interface Coverage {
  states: { covered: number; total: number };
  transitions: { covered: number; total: number };
  uncoveredStates: string[];
  uncoveredTransitions: TransitionUnit[];
}

export interface PathSuite {
  paths: ModelPath[];
  steps: number;
  coverage: Coverage;
}

/** Event sequences the invariants need from a state, beyond covering its transitions. */
function probes(label: string, plan: MachinePlan): WorkflowEvent[][] {
  const [top, sub] = label.split('.') as [string, string | undefined];
  const gate = plan.steps.some((s) => s.gate === top);
  const out: WorkflowEvent[][] = [[{ type: 'disable' }]];
  if (gate || top === 'armed')
    out.push([{ type: 'killswitch.read', reading: 'enabled' }], [{ type: 'killswitch.read', reading: 'unreadable' }]);
  if (gate && sub && sub !== 'passed') for (const status of modelStatuses) out.push([{ type: 'gap.verdict', gap: sub, status }]);
  // A flip is the command and then the switch reading that confirms it.
  if (top === 'armed') for (const start of flipStarts(plan)) out.push([start, { type: 'killswitch.read', reading: 'enabled' }]);
  if (top === 'halted') for (const reading of modelReadings) out.push([{ type: 'resume', reading }]);
  return out;
}

/**
 * Generates the path tests of a model graph: the shortest path to every reachable state, one path
 * per transition those leave untaken (the shortest path to its state, then an event that takes it),
 * and the probes the invariants quantify over (disable and unsafe switch readings in every state,
 * every status of the pending GAP, every flip payload, every resume). A path that is a prefix of
 * another is dropped: the longer one checks the same steps.
 * @example
 * const suite = generatePaths(exploreModel(machine, modelEvents(plan)), plan);
 * suite.coverage.transitions; // { covered: 138, total: 138 }
 */
export function generatePaths(graph: ModelGraph, plan: MachinePlan): PathSuite {
  const index = new Map(graph.events.map((e, i) => [eventKey(e), i]));
  const edge = (label: string, i: number) => edgeOf(graph, label, i);

  // Breadth-first over the traversal's adjacency: the first event (in model order) that reaches a state wins.
  const parent = new Map<string, { from: string; event: number }>();
  const children = new Map<string, number>();
  const order = [graph.initial];
  const routes = new Map<string, { steps: ModelStep[]; name: string }>([[graph.initial, { steps: [], name: '' }]]);
  const taken = new Set<string>();
  for (let i = 0; i < order.length; i++) {
    const from = order[i]!;
    const route = routes.get(from)!;
    for (const e of graph.reachable.get(from)?.values() ?? []) {
      if (routes.has(e.to) || !graph.reachable.has(e.to)) continue;
      parent.set(e.to, { from, event: e.index });
      children.set(from, (children.get(from) ?? 0) + 1);
      routes.set(e.to, {
        steps: [...route.steps, { event: e.event, expected: e.to }],
        name: route.name ? `${route.name} → ${eventLabel(e.event)}` : eventLabel(e.event),
      });
      for (const id of e.taken) taken.add(id);
      order.push(e.to);
    }
  }

  // Tails start where the shortest routes stop sharing them: leading tree edges are folded into the route.
  const tails = new Map<string, number[][]>();
  const reached = new Set(order);
  const addTail = (label: string, seq: number[]) => {
    let at = label;
    let rest = seq;
    while (rest.length) {
      const to = edge(at, rest[0]!).to;
      const p = parent.get(to);
      if (!p || p.from !== at || p.event !== rest[0]) break;
      at = to;
      rest = rest.slice(1);
    }
    if (!rest.length) return;
    let walk = at;
    for (const i of rest) {
      const e = edge(walk, i);
      for (const id of e.taken) taken.add(id);
      walk = e.to;
      reached.add(walk);
    }
    const list = tails.get(at);
    if (list) list.push(rest);
    else tails.set(at, [rest]);
  };
  for (const label of order) {
    const first = new Map<string, number>();
    for (const e of graph.reachable.get(label)?.values() ?? []) for (const id of e.taken) if (!first.has(id)) first.set(id, e.index);
    for (const unit of graph.transitions.get(label) ?? []) {
      const e = first.get(unit.id);
      if (e !== undefined && !taken.has(unit.id)) addTail(label, [e]);
    }
  }
  for (const label of order)
    for (const seq of probes(label, plan))
      addTail(
        label,
        seq.map((e) => index.get(eventKey(e))!),
      );

  const paths: ModelPath[] = [];
  let steps = 0;
  for (const label of order) {
    const route = routes.get(label)!;
    const own = (tails.get(label) ?? []).map((t) => t.join(','));
    const kept = [...new Set(own)].filter((t) => !own.some((o) => o.startsWith(`${t},`)));
    if (!kept.length && !children.get(label)) kept.push('');
    for (const t of kept) {
      const tail: ModelStep[] = [];
      let at = label;
      for (const i of t ? t.split(',').map(Number) : []) {
        const e = edge(at, i);
        tail.push({ event: e.event, expected: e.to });
        at = e.to;
      }
      const name = [route.name, ...tail.map((s) => eventLabel(s.event))].filter(Boolean).join(' → ') || `(the initial state ${label})`;
      paths.push({ name, via: label, head: route.steps, tail, length: route.steps.length + tail.length });
      steps += route.steps.length + tail.length;
    }
  }

  const units = [...graph.transitions.values()].flat();
  return {
    paths,
    steps,
    coverage: {
      states: { covered: graph.states.filter((s) => reached.has(s)).length, total: graph.states.length },
      transitions: { covered: units.filter((u) => taken.has(u.id)).length, total: units.length },
      uncoveredStates: graph.states.filter((s) => !reached.has(s)),
      uncoveredTransitions: units.filter((u) => !taken.has(u.id)),
    },
  };
}

/** `states 19/19 (100%), transitions 138/138 (100%)`. */
export function formatCoverage(c: Coverage): string {
  // Rounded down, so that 100% means every one.
  const pct = (n: number, d: number) => (n === d ? '100%' : `${(Math.floor((1000 * n) / d) / 10).toFixed(1)}%`);
  return `states ${c.states.covered}/${c.states.total} (${pct(c.states.covered, c.states.total)}), transitions ${c.transitions.covered}/${c.transitions.total} (${pct(c.transitions.covered, c.transitions.total)})`;
}

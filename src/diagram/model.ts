import type { AnyStateMachine } from 'xstate';
import type { MachinePlan } from '../machine/plan.js';
import type { Workflow } from '../spec/schema.js';

/** One drawable state: a GAP step inside a gate, a gate's `passed`, or a top-level state. */
export interface DiagramNode {
  /** The state's path below the root, as the ledger names it: `G2.GAP-3`, `G2.passed`, `armed`. */
  id: string;
  kind: 'gap' | 'passed' | 'terminal';
  /** The GAP id for a GAP step. */
  gap?: string;
  label: string;
  /** A second line: the GAP's title or the state's description. */
  detail?: string;
}

export interface DiagramGate {
  id: string;
  title: string;
  /** Its substates in the machine's order: the GAP steps, then `passed`. */
  nodes: DiagramNode[];
}

/** A transition drawn as an arrow. `to` is a node id or, for a compound target, a gate id. */
export interface DiagramEdge {
  from: string;
  to: string;
  kind: 'proves' | 'advance' | 'flow' | 'blocks';
  label: string;
}

export interface DiagramModel {
  workflow: string;
  title: string;
  gates: DiagramGate[];
  /** `armed`, `flipping`, `flipped`, `halted` (the machine's top-level states that are not gates). */
  terminals: DiagramNode[];
  edges: DiagramEdge[];
  /** A transition that many states share (disable, the kill-switch halt): drawn as a note on its target, not an arrow each. */
  fanIn: { to: string; event: string; label: string; from: string[] }[];
  /** How many reopen transitions (a proven GAP failing sends the workflow back to its gate); noted, not drawn. */
  reopens: number;
  /** GAP titles by id (from the spec, which the machine does not carry). */
  gapTitles: Record<string, string>;
}

interface Node {
  key: string;
  path: string[];
  description?: string;
  states: Record<string, Node>;
  transitions: Map<string, { target?: readonly Node[]; description?: string; guard?: unknown }[]>;
}

const idOf = (n: Node) => n.path.join('.');

/**
 * The gate graph as the statechart has it: gates (compound states) with their GAP steps in order, the
 * transitions between them, and the states after the gates; `blockedBy` comes from the plan, titles
 * from the spec. Every renderer draws this, so a diagram cannot disagree with the machine.
 * @example
 * const { machine, plan } = buildMachine(wf.spec);
 * diagramModel(machine, plan, wf.spec).gates.map((g) => g.id); // ['G1', 'G2', …]
 */
export function diagramModel(machine: AnyStateMachine, plan: MachinePlan, spec: Pick<Workflow, 'id' | 'title' | 'gaps'>): DiagramModel {
  const root = machine.root as unknown as Node;
  const gapTitles = Object.fromEntries(spec.gaps.map((g) => [g.id, g.title]));
  const gates: DiagramGate[] = [];
  const terminals: DiagramNode[] = [];
  const edges: DiagramEdge[] = [];
  const fanIn: DiagramModel['fanIn'] = [];
  let reopens = 0;

  const all: Node[] = [];
  for (const child of Object.values(root.states)) {
    const subs = Object.values(child.states);
    if (subs.length) {
      gates.push({
        id: child.key,
        title: child.description ?? child.key,
        nodes: subs.map((s) =>
          plan.gaps.has(s.key)
            ? { id: idOf(s), kind: 'gap', gap: s.key, label: s.key, detail: gapTitles[s.key] }
            : { id: idOf(s), kind: 'passed', label: s.key },
        ),
      });
      all.push(child, ...subs);
    } else {
      terminals.push({ id: idOf(child), kind: 'terminal', label: child.key, detail: child.description });
      all.push(child);
    }
  }
  const index = new Map(all.map((n, i) => [idOf(n), i]));

  for (const [event, ts] of root.transitions) {
    for (const t of ts)
      for (const target of t.target ?? []) fanIn.push({ to: idOf(target), event, label: t.description ?? event, from: ['every state'] });
  }
  const flows: { edge: DiagramEdge; event: string; description: string }[] = [];
  for (const n of all) {
    for (const [event, ts] of n.transitions) {
      for (const t of ts) {
        for (const target of t.target ?? []) {
          const to = idOf(target);
          const label = t.description ?? event;
          if (event === 'gap.verdict' && (index.get(to) ?? 0) < (index.get(idOf(n)) ?? 0)) reopens++;
          else if (event === 'gap.verdict') edges.push({ from: idOf(n), to, kind: 'proves', label });
          else if (event === 'gate.advance') edges.push({ from: idOf(n), to, kind: 'advance', label: event });
          else flows.push({ edge: { from: idOf(n), to, kind: 'flow', label: `${event}: ${label}` }, event, description: label });
        }
      }
    }
  }
  // The same transition from many states (the kill-switch halt) reads better as one note than as a fan of arrows.
  const groups = new Map<string, typeof flows>();
  const flowEdges: DiagramEdge[] = [];
  for (const f of flows) {
    const key = `${f.edge.to} ${f.edge.label}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const group of groups.values()) {
    const { edge, event, description } = group[0]!;
    if (group.length >= 2) fanIn.push({ to: edge.to, event, label: description, from: group.map((f) => f.edge.from) });
    else flowEdges.push(...group.map((f) => f.edge));
  }
  // Two events between the same pair of states (flipping → halted) share one arrow.
  for (const e of flowEdges) {
    const same = edges.find((x) => x.kind === 'flow' && x.from === e.from && x.to === e.to);
    if (same) same.label += `\n${e.label}`;
    else edges.push({ ...e });
  }
  // A GAP is drawn once per gate that requires it; its blockers point at its first step (its home).
  for (const gate of gates) {
    for (const node of gate.nodes) {
      const info = node.gap ? plan.gaps.get(node.gap) : undefined;
      if (!info || info.home !== gate.id) continue;
      for (const b of info.blockedBy) {
        const home = plan.gaps.get(b)?.home;
        if (home) edges.push({ from: `${home}.${b}`, to: node.id, kind: 'blocks', label: 'blocks' });
      }
    }
  }
  return {
    workflow: spec.id,
    title: spec.title,
    gates,
    terminals,
    edges,
    fanIn,
    reopens,
    gapTitles,
  };
}

/** Every GAP of the workflow in the order the machine proves them. */
export const modelGaps = (m: DiagramModel): string[] => [
  ...new Set(m.gates.flatMap((g) => g.nodes.flatMap((n) => (n.gap ? [n.gap] : [])))),
];

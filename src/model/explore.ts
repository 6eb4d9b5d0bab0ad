import { getAdjacencyMap } from '@xstate/graph';
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';
import { stateLabel } from '../machine/state.js';
import type { WorkflowEvent } from '../machine/types.js';
import { eventKey } from './events.js';

/** One transition of the statechart as seen from one atomic state: the unit of transition coverage. */
export interface TransitionUnit {
  /** `G2.GAP-4 gap.verdict#flipgate.G2.GAP-4[1]`: the state, the event type, the declaring node and index. */
  id: string;
  from: string;
  eventType: string;
  description: string;
}

/** What one event does in one state. */
export interface Edge {
  /** The event's index in the model's event list. */
  index: number;
  event: WorkflowEvent;
  to: string;
  /** Ids of the transition units taken (none when the machine ignores the event). */
  taken: string[];
}

export interface ModelGraph {
  machine: AnyStateMachine;
  events: WorkflowEvent[];
  initial: string;
  /** Reachable states, in breadth-first order, with what each event they handle does there (in model order). */
  reachable: Map<string, Map<number, Edge>>;
  /** Every atomic state of the statechart (reachable or not), in document order. */
  states: string[];
  /** Every transition that may fire in each atomic state (its own, then its ancestors'). */
  transitions: Map<string, TransitionUnit[]>;
}

function atomicNodes(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  return children.length ? children.flatMap(atomicNodes) : [node];
}

const labelOf = (node: AnyStateNode): string => node.path.join('.');

/**
 * Explores the machine with @xstate/graph: the state serializer keeps the state value only (the
 * context is constant), the events are explicit, and finished states are not expanded. Each state
 * is sent the events whose type one of its transitions (or its ancestors') handles: any other event
 * leaves it unchanged.
 * @example
 * const graph = exploreModel(buildMachine(spec).machine, modelEvents(plan));
 * graph.reachable.size; // states reached from the initial state
 */
export function exploreModel(machine: AnyStateMachine, events: WorkflowEvent[]): ModelGraph {
  const transitions = new Map<string, TransitionUnit[]>();
  const unitOf = new Map<string, Map<AnyTransitionDefinition, string>>();
  // Event types that may take a transition and still leave the state as it was (re-entering it or an ancestor).
  const reentrant = new Map<string, Set<string>>();
  const states: string[] = [];
  for (const node of atomicNodes(machine.root)) {
    const label = labelOf(node);
    states.push(label);
    const units: TransitionUnit[] = [];
    const byDef = new Map<AnyTransitionDefinition, string>();
    const lineage = new Set<AnyStateNode>();
    for (let n: AnyStateNode | undefined = node; n; n = n.parent) lineage.add(n);
    const same = new Set<string>();
    for (const n of lineage) {
      for (const [eventType, defs] of n.transitions) {
        defs.forEach((def, i) => {
          if (!def.target?.length || def.target.some((t) => lineage.has(t))) same.add(eventType);
          const id = `${label} ${eventType}#${n!.id}[${i}]`;
          const targets = def.target?.map(labelOf).join(', ') || label;
          units.push({ id, from: label, eventType, description: def.description ?? `${eventType} → ${targets}` });
          byDef.set(def, id);
        });
      }
    }
    transitions.set(label, units);
    unitOf.set(label, byDef);
    reentrant.set(label, same);
  }

  const serialize = (s: AnyMachineSnapshot) => stateLabel(s.value as StateValue);
  const handled = new Map<string, { event: WorkflowEvent; index: number }[]>();
  for (const [label, units] of transitions) {
    const types = new Set(units.map((u) => u.eventType));
    handled.set(
      label,
      events.map((event, index) => ({ event, index })).filter(({ event }) => types.has(event.type) || types.has('*')),
    );
  }
  const adjacency = getAdjacencyMap(machine, {
    serializeState: serialize,
    serializeEvent: eventKey as never,
    events: (s: AnyMachineSnapshot) => (s.status === 'done' ? [] : (handled.get(serialize(s)) ?? []).map((h) => h.event)),
  } as never) as unknown as Record<string, { state: AnyMachineSnapshot; transitions: Record<string, { state: AnyMachineSnapshot }> }>;

  const reachable = new Map<string, Map<number, Edge>>();
  const context = JSON.stringify(Object.values(adjacency)[0]?.state.context);
  for (const [label, { state, transitions: next }] of Object.entries(adjacency)) {
    const byDef = unitOf.get(label);
    const same = reentrant.get(label);
    const edges = (handled.get(label) ?? []).map(({ event, index }): Edge => {
      const after = next[eventKey(event)]!.state;
      // States are keyed by value alone, which is exact only while the context never changes.
      if (after.context !== state.context && JSON.stringify(after.context) !== context)
        throw new Error(
          `${eventKey(event)} changed the machine's context in ${label}: the model keys states by value and needs a constant context`,
        );
      const to = serialize(after);
      // An event that leaves the state as it was took no transition, unless one may re-enter it.
      const moved = to !== label || same?.has(event.type);
      const taken = moved ? machine.getTransitionData(state, event).map((def) => byDef?.get(def) ?? `${label} ${def.eventType}#?`) : [];
      return { index, event, to, taken };
    });
    reachable.set(label, new Map(edges.map((e) => [e.index, e])));
  }
  // The traversal starts from the initial state, so it is the first one it records.
  const initial = Object.keys(adjacency)[0]!;
  return { machine, events, initial, reachable, states, transitions };
}

/** What event `index` does in a reachable state: its edge, or nothing (an event the state does not handle). */
export function edgeOf(graph: ModelGraph, label: string, index: number): Edge {
  return graph.reachable.get(label)?.get(index) ?? { index, event: graph.events[index]!, to: label, taken: [] };
}

import { type AnyActorRef, type AnyStateMachine, createActor, type StateValue } from 'xstate';
import type { MachinePlan } from './plan.js';
import type { WorkflowEvent } from './types.js';

/** `G2.GAP-4`, `armed`, … from a state value. */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [k, v] = Object.entries(value)[0] ?? ['?', ''];
  const inner = v === undefined ? '' : stateLabel(v as StateValue);
  return inner ? `${k}.${inner}` : k;
}

export function stateValue(label: string): StateValue {
  const [top, ...rest] = label.split('.');
  return rest.length ? { [top!]: rest.join('.') } : top!;
}

export { topState } from './plan.js';

/** True when the label names a state of this plan's machine. */
export function isKnownState(plan: MachinePlan, label: string): boolean {
  const [top, sub] = label.split('.');
  if (['armed', 'flipping', 'flipped', 'halted'].includes(top!)) return sub === undefined;
  const step = plan.steps.find((s) => s.gate === top);
  return !!step && (sub === 'passed' || (sub !== undefined && step.gaps.includes(sub)));
}

export interface Step {
  event: WorkflowEvent;
  from: string;
  to: string;
}

/** A machine actor resumed at a recorded state, which reports each state change it makes. */
export class MachineRun {
  private readonly actor: AnyActorRef;
  constructor(
    readonly machine: AnyStateMachine,
    label?: string,
  ) {
    const snapshot = label ? machine.resolveState({ value: stateValue(label), context: machine.config.context as never }) : undefined;
    this.actor = createActor(machine, snapshot ? { snapshot } : {}).start();
  }
  get state(): string {
    return stateLabel(this.actor.getSnapshot().value as StateValue);
  }
  /** Sends one event; returns the change it made, if any. */
  send(event: WorkflowEvent): Step | undefined {
    const from = this.state;
    this.actor.send(event);
    const to = this.state;
    return from === to ? undefined : { event, from, to };
  }
  stop(): void {
    this.actor.stop();
  }
}

import { type AnyMachineSnapshot, type AnyStateMachine, initialTransition, type StateValue, transition } from 'xstate';
import { stateLabel } from '../machine/state.js';
import type { GapStatus, WorkflowEvent } from '../machine/types.js';
import { eventLabel } from './events.js';
import { invariants as allInvariants, type Invariant, type InvariantContext, report } from './invariants.js';
import type { ModelPath } from './paths.js';

/** Where and why a path test failed. */
export interface PathFailure {
  /** The invariant's id, or `model` when the machine left the path the model expects. */
  invariant: string;
  statement: string;
  /** 1-based index of the path in its suite. */
  path: number;
  pathName: string;
  /** 1-based step number and the path's length. */
  step: number;
  steps: number;
  event: string;
  from: string;
  to: string;
  message: string;
}

export interface RunOptions {
  invariants?: Invariant[];
  /** The path's number in its suite, for messages. */
  index?: number;
}

/**
 * Sends a path's events to a fresh machine, one at a time, and checks every invariant after every
 * step (not only at the end); stops at the first failure.
 * @example
 * const failure = runPath(machine, suite.paths[0], invariantContext(spec, plan));
 * if (failure) console.log(formatFailure(failure));
 */
export function runPath(machine: AnyStateMachine, path: ModelPath, ctx: InvariantContext, opts: RunOptions = {}): PathFailure | undefined {
  const invariants = opts.invariants ?? allInvariants;
  const label = (s: AnyMachineSnapshot) => stateLabel(s.value as StateValue);
  let snapshot = initialTransition(machine)[0] as AnyMachineSnapshot;
  const reported = new Map<string, GapStatus>();
  let step = 0;
  const fail = (event: WorkflowEvent, from: string, to: string, invariant: string, statement: string, message: string): PathFailure => ({
    invariant,
    statement,
    path: opts.index ?? 1,
    pathName: path.name,
    step,
    steps: path.length,
    event: eventLabel(event),
    from,
    to,
    message,
  });
  for (const part of [path.head, path.tail]) {
    for (const { event, expected } of part) {
      step++;
      const from = label(snapshot);
      snapshot = transition(machine, snapshot, event as never)[0] as AnyMachineSnapshot;
      const to = label(snapshot);
      report(reported, event);
      for (const inv of invariants) {
        const message = inv.check({ from, event, to, reported }, ctx);
        if (message) return fail(event, from, to, inv.id, inv.statement, message);
      }
      if (to !== expected)
        return fail(
          event,
          from,
          to,
          'model',
          'the machine follows the model its paths were generated from',
          `the machine went to ${to} where the model expects ${expected}`,
        );
    }
  }
  return undefined;
}

/** `path #12 "GAP-1 CLOSED → … → switch enabled", step 9 of 9 (switch enabled), flipping → flipped: …`. */
export function formatFailure(f: PathFailure): string {
  return `${f.invariant} violated on path #${f.path} "${f.pathName}", step ${f.step} of ${f.steps} (${f.event}), ${f.from} → ${f.to}: ${f.message} — ${f.statement}`;
}

/** An invariant failure as an Error, for test runners. */
export class InvariantViolation extends Error {
  constructor(readonly failure: PathFailure) {
    super(formatFailure(failure));
    this.name = 'InvariantViolation';
  }
}

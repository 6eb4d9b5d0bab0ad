import { type AnyStateMachine, and, setup } from 'xstate';
import type { Workflow } from '../spec/schema.js';
import { type GapRef, guards } from './guards.js';
import { type MachinePlan, planMachine } from './plan.js';
import type { WorkflowEvent } from './types.js';

export const MACHINE_ID = 'flipgate';
const abs = (...parts: string[]) => `#${MACHINE_ID}.${parts.join('.')}`;

type Transition = { target?: string; guard?: unknown; description?: string };

export interface WorkflowMachine {
  machine: AnyStateMachine;
  plan: MachinePlan;
}

/**
 * Builds the workflow's statechart: one compound state per gate (its GAPs as guarded substates,
 * blockers first, then `passed`), then `armed`, `flipping`, `flipped`, and `halted`, which every
 * state reaches on `disable` and every pre-flip state on an unsafe kill-switch reading.
 * The machine is pure: no I/O, no invoke, no timers; GAP statuses arrive as events.
 * @example
 * const { machine } = buildMachine(wf.spec);
 * const actor = createActor(machine).start();
 * actor.send({ type: 'killswitch.read', reading: 'safe' });
 */
export function buildMachine(spec: Workflow): WorkflowMachine {
  const plan = planMachine(spec);
  const ref = (gap: string): GapRef => ({ gap, waivable: plan.gaps.get(gap)?.waivable ?? true });
  const reopen = (gap: string): Transition => ({
    guard: { type: 'verdictReopens', params: ref(gap) },
    target: abs(plan.gaps.get(gap)!.home!, gap),
    description: `${gap} reopened: back to ${plan.gaps.get(gap)!.home}`,
  });
  const unsafeSwitch = { guard: 'switchUnsafe', target: abs('halted'), description: 'kill switch reads enabled or cannot be read' };

  const proven: string[] = [];
  const states: Record<string, unknown> = {};
  plan.steps.forEach((step, i) => {
    const next = plan.steps[i + 1] ? abs(plan.steps[i + 1]!.gate) : abs('armed');
    const sub: Record<string, unknown> = {};
    step.gaps.forEach((gap, j) => {
      const after = step.gaps[j + 1] ?? 'passed';
      const late = plan.gaps.get(gap)?.lateBlockers ?? [];
      sub[gap] = {
        description: `waiting for ${gap}`,
        on: {
          'gap.verdict': [
            {
              guard: and([
                { type: 'verdictProves', params: ref(gap) },
                { type: 'blockersPrecede', params: { gap, late } },
              ]),
              target: after,
              description: `${gap} proven`,
            },
            ...proven.map(reopen),
          ],
        },
      };
      if (!proven.includes(gap)) proven.push(gap);
    });
    const passedReopens = [...proven];
    sub.passed = {
      description: `${step.gate} passed; gate.advance moves on`,
      on: { 'gap.verdict': passedReopens.map(reopen), 'gate.advance': { target: next, description: `leave ${step.gate}` } },
    };
    states[step.gate] = {
      description: step.title,
      initial: step.gaps[0] ?? 'passed',
      states: sub,
      on: { 'killswitch.read': unsafeSwitch },
    };
  });
  const everyGap = [...plan.gaps.keys()].map(ref);
  states.armed = {
    description: 'every gate passed; the flip may be requested',
    on: {
      'killswitch.read': unsafeSwitch,
      'gap.verdict': proven.map(reopen),
      'flip.start': {
        guard: { type: 'allGapsProven', params: { gaps: everyGap, signed: plan.signed } },
        target: 'flipping',
        description: 'a fresh survey proves every GAP',
      },
    },
  };
  states.flipping = {
    description: 'the flip command ran; waiting for the kill switch to read enabled',
    on: {
      'killswitch.read': [
        { guard: 'switchEnabled', target: 'flipped', description: 'execution is on' },
        { target: 'halted', description: 'the switch did not turn on' },
      ],
      'flip.failed': { target: 'halted', description: 'the flip command failed' },
    },
  };
  states.flipped = {
    description: 'execution is enabled',
    on: { 'killswitch.read': { guard: 'switchSafe', target: 'halted', description: 'execution was turned off outside flipgate' } },
  };
  states.halted = {
    description: 'execution disabled; resume when the kill switch reads safe',
    on: { resume: { guard: 'switchSafe', target: abs(plan.steps[0]!.gate), description: 'start over from the first gate' } },
  };

  const machine = setup({
    types: { events: {} as WorkflowEvent, context: {} as { workflow: string } },
    guards: guards as never,
  }).createMachine({
    id: MACHINE_ID,
    context: { workflow: spec.id },
    initial: plan.steps[0]!.gate,
    on: { disable: { target: '.halted', description: 'disable is allowed from every state' } },
    states: states as never,
  });
  return { machine: machine as unknown as AnyStateMachine, plan };
}

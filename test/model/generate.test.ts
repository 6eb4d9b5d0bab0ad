import { describe, expect, it } from 'vitest';
import { assign, createMachine } from 'xstate';
import { buildMachine } from '../../src/machine/build.js';
import { gapStatuses, switchReadings } from '../../src/machine/types.js';
import { eventLabel, modelEvents } from '../../src/model/events.js';
import { exploreModel } from '../../src/model/explore.js';
import { pathSteps } from '../../src/model/paths.js';
import { generatePathTests } from '../../src/model/suite.js';
import { loadWorkflow } from '../../src/spec/load.js';

const wf = await loadWorkflow('machines/o8-production-readiness.yaml');
const tests = generatePathTests(wf.spec);
const { plan } = buildMachine(wf.spec);
const walks = tests.paths.map((p) => {
  let at = tests.graph.initial;
  return pathSteps(p).map((s) => {
    const from = at;
    at = s.expected;
    return { from, event: s.event, to: s.expected };
  });
});
const stepsFrom = (state: string) => walks.flat().filter((s) => s.from === state);

describe('the traversal', () => {
  it('sends explicit payloads: every GAP with every status, every switch and resume reading, and a flip survey per unproven GAP', () => {
    const labels = new Set(modelEvents(plan).map(eventLabel));
    for (const gap of wf.spec.gaps) for (const status of gapStatuses) expect(labels).toContain(`${gap.id} ${status}`);
    for (const r of switchReadings) {
      expect(labels).toContain(`switch ${r}`);
      expect(labels).toContain(`resume[${r}]`);
    }
    expect(labels).toContain('flip.start[all CLOSED]');
    for (const gap of wf.spec.gaps) expect(labels).toContain(`flip.start[${gap.id} OPEN]`);
  });

  it('refuses a machine whose context changes, since it keys states by their value alone', () => {
    const counting = createMachine({
      context: { disables: 0 },
      initial: 'open',
      states: { open: { on: { disable: { actions: assign({ disables: ({ context }) => context.disables + 1 }) } } } },
    });
    expect(() => exploreModel(counting, [{ type: 'disable' }])).toThrow(
      /changed the machine's context in open: the model keys states by value and needs a constant context/,
    );
  });

  it('finds a state space linear in the GAPs: one state per GAP of each gate, one passed per gate, then armed, flipping, flipped, halted', () => {
    const waits = plan.steps.reduce((n, s) => n + s.gaps.length, 0);
    expect(tests.graph.reachable.size).toBe(waits + plan.steps.length + 4);
    expect([...tests.graph.reachable.keys()].sort()).toEqual([...tests.graph.states].sort());
  });
});

describe('the generated paths', () => {
  it('start at the first GAP of the first gate', () => {
    expect(tests.graph.initial).toBe(`${plan.steps[0]!.gate}.${plan.steps[0]!.gaps[0]}`);
  });

  it('are all different, and none is a prefix of another', () => {
    const keys = tests.paths.map((p) =>
      pathSteps(p)
        .map((s) => eventLabel(s.event))
        .join('\n'),
    );
    expect(new Set(keys).size).toBe(keys.length);
    const sorted = [...keys].sort();
    for (let i = 0; i + 1 < sorted.length; i++) expect(sorted[i + 1]!.startsWith(`${sorted[i]}\n`)).toBe(false);
  });

  it('are named by their event sequence', () => {
    for (const p of tests.paths)
      expect(p.name).toBe(
        pathSteps(p)
          .map((s) => eventLabel(s.event))
          .join(' → '),
      );
  });

  it('send disable from every state, and each unsafe switch reading from every state before the flip', () => {
    for (const state of tests.graph.states) {
      const types = stepsFrom(state).map((s) => eventLabel(s.event));
      expect(types, state).toContain('disable');
      if (state !== 'flipping' && state !== 'flipped' && state !== 'halted')
        expect(types, state).toEqual(expect.arrayContaining(['switch enabled', 'switch unreadable']));
    }
  });

  it('send the pending GAP every status in the state that waits for it', () => {
    for (const step of plan.steps) {
      for (const gap of step.gaps) {
        const sent = stepsFrom(`${step.gate}.${gap}`).map((s) => eventLabel(s.event));
        for (const status of gapStatuses) expect(sent).toContain(`${gap} ${status}`);
      }
    }
  });

  it('try every flip survey from armed, each followed by the switch reading that would confirm it', () => {
    const flips = modelEvents(plan)
      .filter((e) => e.type === 'flip.start')
      .map(eventLabel);
    const tried = (f: string) =>
      walks.some((w) =>
        w.some((s, i) => s.from === 'armed' && eventLabel(s.event) === f && w[i + 1] && eventLabel(w[i + 1]!.event) === 'switch enabled'),
      );
    for (const f of flips) expect(tried(f), f).toBe(true);
  });

  it('resume from halted with every reading', () => {
    const sent = stepsFrom('halted').map((s) => eventLabel(s.event));
    for (const r of switchReadings) expect(sent).toContain(`resume[${r}]`);
  });
});

import { describe, expect, it } from 'vitest';
import { type AnyMachineSnapshot, initialTransition, type StateValue, transition } from 'xstate';
import { buildMachine } from '../../src/machine/build.js';
import { stateLabel } from '../../src/machine/state.js';
import { pathSteps } from '../../src/model/paths.js';
import { formatFailure } from '../../src/model/run.js';
import { generatePathTests, runPathTests } from '../../src/model/suite.js';
import { loadWorkflow } from '../../src/spec/load.js';
import * as broken from '../fixtures/broken-machines.js';

const o8 = await loadWorkflow('machines/o8-production-readiness.yaml');
const lateBlocker = await loadWorkflow('test/fixtures/model-late-blocker.yaml');

/** Generates the path tests from a broken variant of the workflow's machine and runs them on it. */
function testBroken(
  spec: typeof o8.spec,
  mutate: (m: ReturnType<typeof buildMachine>['machine']) => ReturnType<typeof buildMachine>['machine'],
) {
  const machine = mutate(buildMachine(spec).machine);
  const tests = generatePathTests(spec, { machine });
  return { tests, report: runPathTests(tests) };
}

describe('a flip guard that lets the flip through with one GAP OPEN (test/fixtures/broken-machines.ts)', () => {
  const { tests, report } = testBroken(o8.spec, broken.lenientFlipGuard);
  const flips = report.failures.filter((f) => f.invariant === 'flip-needs-proof' && /flip\.start\[GAP-\d+ OPEN\]/.test(f.pathName));

  it('is caught by the flip invariant on every path that flips with a GAP OPEN, naming that GAP', () => {
    expect(flips.length).toBe(o8.spec.gaps.length);
    for (const f of flips) {
      const gap = /flip\.start\[(GAP-\d+) OPEN\]/.exec(f.pathName)![1];
      expect(f.message).toBe(`reached flipped while ${gap} is OPEN`);
    }
  });

  it('names the failing path and the step, and that step really reaches flipped with the GAP OPEN', () => {
    const f = flips[0]!;
    const text = formatFailure(f);
    expect(text).toContain(`path #${f.path} "${f.pathName}"`);
    expect(text).toContain(`step ${f.step} of ${f.steps} (${f.event})`);
    const steps = pathSteps(tests.paths[f.path - 1]!);
    expect(steps.length).toBe(f.steps);
    let s = initialTransition(tests.machine)[0] as AnyMachineSnapshot;
    for (const { event } of steps.slice(0, f.step - 1)) s = transition(tests.machine, s, event as never)[0] as AnyMachineSnapshot;
    expect(stateLabel(s.value as StateValue)).toBe(f.from);
    s = transition(tests.machine, s, steps[f.step - 1]!.event as never)[0] as AnyMachineSnapshot;
    expect(stateLabel(s.value as StateValue)).toBe('flipped');
    const flip = steps.find((x) => x.event.type === 'flip.start')!.event as { gaps: Record<string, string> };
    expect(Object.values(flip.gaps)).toContain('OPEN');
  });

  it('fails the run, while the real machine passes the same kind of run', () => {
    expect(report.failures.length).toBeGreaterThan(0);
    expect(runPathTests(generatePathTests(o8.spec)).failures).toEqual([]);
  });
});

describe('every invariant catches a machine that breaks it', () => {
  const cases = [
    {
      name: 'an "enabled" kill switch ignored before the flip',
      spec: o8.spec,
      mutate: broken.enabledSwitchIgnored,
      invariant: 'unsafe-switch-halts',
    },
    { name: 'ERROR counted as CLOSED', spec: o8.spec, mutate: broken.errorCountsAsClosed, invariant: 'error-is-not-closed' },
    { name: 'PARTIAL counted as CLOSED', spec: o8.spec, mutate: broken.partialCountsAsClosed, invariant: 'only-proof-advances' },
    { name: 'blockers ignored', spec: lateBlocker.spec, mutate: broken.blockersIgnored, invariant: 'blocker-first' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.invariant}`, () => {
      const { report } = testBroken(c.spec, c.mutate);
      expect([...new Set(report.failures.map((f) => f.invariant))]).toEqual([c.invariant]);
    });
  }

  it('a flip guard that never holds breaks no invariant (it is safe, only useless: flipgate check reports it)', () => {
    const { report } = testBroken(o8.spec, broken.flipGuardNeverHolds);
    expect(report.failures).toEqual([]);
    expect(report.coverage.uncoveredStates).toEqual(['flipping', 'flipped']);
  });
});

describe('paths generated from the real model, run against a broken machine', () => {
  it('stop where the machine leaves the model, naming the step', () => {
    const report = runPathTests(generatePathTests(o8.spec), { machine: broken.lenientFlipGuard(buildMachine(o8.spec).machine) });
    const diverged = report.failures.filter((f) => f.invariant === 'model');
    expect(diverged.length).toBeGreaterThan(0);
    expect(diverged[0]!.message).toMatch(/went to flipping where the model expects armed/);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../src/machine/build.js';
import { generatePathTests, runPathTests } from '../../src/model/suite.js';
import { parseWorkflow } from '../../src/spec/load.js';
import * as broken from '../fixtures/broken-machines.js';

// The model's invariants over the decisions: no flip on unsigned or replayed sign-offs where the spec
// requires signatures, and disable ends safe from every state.
const o8 = await readFile('machines/o8-production-readiness.yaml', 'utf8');
const signed = parseWorkflow(
  o8.replace(/^gates:$/m, 'approvals: { signed: true, allowedSigners: allowed_signers }\ngates:'),
  'o8-signed.yaml',
).spec;
const plain = parseWorkflow(o8, 'o8.yaml').spec;

function run(spec: typeof signed, mutate?: (m: ReturnType<typeof buildMachine>['machine']) => ReturnType<typeof buildMachine>['machine']) {
  const machine = mutate ? mutate(buildMachine(spec).machine) : undefined;
  const tests = generatePathTests(spec, machine ? { machine } : {});
  return runPathTests(tests);
}

describe('the decision invariants', () => {
  it('hold on O8 and on O8 with signed approvals, covering every state and transition', () => {
    for (const spec of [plain, signed]) {
      const report = run(spec);
      expect(report.invariants).toEqual(expect.arrayContaining(['flip-needs-signed-approvals', 'disable-ends-safe']));
      expect(report.failures).toEqual([]);
      expect(report.coverage.states.covered).toBe(report.coverage.states.total);
      expect(report.coverage.transitions.covered).toBe(report.coverage.transitions.total);
    }
  });

  it('catch a flip guard that lets unsigned or replayed sign-offs through', () => {
    const report = run(signed, broken.signoffsIgnored);
    const caught = report.failures.filter((f) => f.invariant === 'flip-needs-signed-approvals');
    expect(caught.map((f) => f.message).sort()).toEqual([
      'a flip survey with replayed sign-offs moved the workflow from armed to flipping',
      'a flip survey with unsigned sign-offs moved the workflow from armed to flipping',
    ]);
  });

  it('catch a resume that leaves halted without a safe reading', () => {
    const report = run(plain, broken.resumeIgnoresSwitch);
    const caught = report.failures.filter((f) => f.invariant === 'disable-ends-safe');
    expect(caught.length).toBeGreaterThan(0);
    expect(caught[0]!.message).toMatch(/^resume \((enabled|unreadable)\) left halted for G1\.GAP-1 without a safe reading$/);
  });
});

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCoverage } from '../../src/model/paths.js';
import { InvariantViolation, runPath } from '../../src/model/run.js';
import { generatePathTests } from '../../src/model/suite.js';
import { loadWorkflow } from '../../src/spec/load.js';

// Every workflow bundled under machines/ gets its generated path tests, one vitest test per path.
const files = readdirSync('machines')
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => path.join('machines', f));

for (const file of files) {
  const wf = await loadWorkflow(file);
  const tests = generatePathTests(wf.spec);

  describe(`${wf.spec.id}: every invariant holds at every step of every generated path`, () => {
    afterAll(() => {
      console.log(`${wf.spec.id}: ${tests.paths.length} path tests, ${tests.steps} steps — coverage: ${formatCoverage(tests.coverage)}`);
    });

    tests.paths.forEach((p, i) => {
      it(p.name, () => {
        const failure = runPath(tests.machine, p, tests.context, { index: i + 1 });
        if (failure) throw new InvariantViolation(failure);
      });
    });
  });

  describe(`${wf.spec.id}: coverage`, () => {
    it('reaches every state of the statechart', () => {
      expect(tests.coverage.uncoveredStates).toEqual([]);
      expect(tests.coverage.states.covered).toBe(tests.coverage.states.total);
    });

    it('takes every transition of the statechart from every state it applies to', () => {
      expect(tests.coverage.uncoveredTransitions.map((t) => `${t.id}: ${t.description}`)).toEqual([]);
      expect(tests.coverage.transitions.covered).toBe(tests.coverage.transitions.total);
    });
  });
}

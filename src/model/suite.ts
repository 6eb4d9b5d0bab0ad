import type { AnyStateMachine } from 'xstate';
import { buildMachine } from '../machine/build.js';
import type { MachinePlan } from '../machine/plan.js';
import type { Workflow } from '../spec/schema.js';
import { modelEvents } from './events.js';
import { exploreModel, type ModelGraph } from './explore.js';
import { type InvariantContext, invariantContext, invariants } from './invariants.js';
import { type Coverage, generatePaths, type PathSuite } from './paths.js';
import { type PathFailure, runPath } from './run.js';

export interface GeneratedTests extends PathSuite {
  workflow: string;
  machine: AnyStateMachine;
  plan: MachinePlan;
  graph: ModelGraph;
  context: InvariantContext;
  /** Milliseconds spent exploring the graph and generating the paths. */
  ms: { explore: number; generate: number };
}

export interface ModelTestReport {
  schemaVersion: 1;
  workflow: string;
  paths: number;
  steps: number;
  invariants: string[];
  coverage: Coverage;
  failures: PathFailure[];
  ms: { explore: number; generate: number; run: number };
}

/**
 * Generates the path tests of a workflow from its statechart (or from `machine`, a variant of it).
 * @example
 * const tests = generatePathTests(wf.spec);
 * tests.paths.map((p) => p.name);
 */
export function generatePathTests(spec: Workflow, opts: { machine?: AnyStateMachine } = {}): GeneratedTests {
  const built = buildMachine(spec);
  const machine = opts.machine ?? built.machine;
  const t0 = performance.now();
  const graph = exploreModel(machine, modelEvents(built.plan));
  const t1 = performance.now();
  const suite = generatePaths(graph, built.plan);
  const t2 = performance.now();
  return {
    ...suite,
    workflow: spec.id,
    machine,
    plan: built.plan,
    graph,
    context: invariantContext(spec, built.plan),
    ms: { explore: t1 - t0, generate: t2 - t1 },
  };
}

/**
 * Runs every generated path against the machine (or `machine`), checking every invariant at every step.
 * @example
 * const report = runPathTests(generatePathTests(wf.spec));
 * report.failures.length === 0;
 */
export function runPathTests(tests: GeneratedTests, opts: { machine?: AnyStateMachine } = {}): ModelTestReport {
  const machine = opts.machine ?? tests.machine;
  const t0 = performance.now();
  const failures: PathFailure[] = [];
  tests.paths.forEach((path, i) => {
    const f = runPath(machine, path, tests.context, { index: i + 1 });
    if (f) failures.push(f);
  });
  return {
    schemaVersion: 1,
    workflow: tests.workflow,
    paths: tests.paths.length,
    steps: tests.steps,
    invariants: invariants.map((i) => i.id),
    coverage: tests.coverage,
    failures,
    ms: { ...tests.ms, run: performance.now() - t0 },
  };
}

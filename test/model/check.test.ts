import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import type { Place } from '../../src/errors.js';
import { buildMachine } from '../../src/machine/build.js';
import { checkModel, type ModelFinding } from '../../src/model/check.js';
import { loadWorkflow } from '../../src/spec/load.js';
import { flipGuardNeverHolds } from '../fixtures/broken-machines.js';

async function check(file: string, mutate?: (m: AnyStateMachine) => AnyStateMachine) {
  const wf = await loadWorkflow(file);
  const text = await readFile(file, 'utf8');
  const machine = mutate ? mutate(buildMachine(wf.spec).machine) : undefined;
  const findings = checkModel({ spec: wf.spec, file, text, machine });
  /** The spec text at a finding's line and column. */
  const at = (p: Place) => text.split('\n')[p.line! - 1]!.slice(p.column! - 1);
  return { findings, at, of: (kind: ModelFinding['kind']) => findings.filter((f) => f.kind === kind) };
}

describe('flipgate check', () => {
  it('finds nothing in the O8 workflow', async () => {
    expect((await check('machines/o8-production-readiness.yaml')).findings).toEqual([]);
  });

  it('reports a GAP that no gate requires, at its id', async () => {
    const { findings, at } = await check('test/fixtures/model-unused-gap.yaml');
    expect(findings.map((f) => `${f.kind} ${f.subject}`)).toEqual(['unused-gap GAP-3']);
    expect(at(findings[0]!.place)).toMatch(/^GAP-3/);
    expect(findings[0]!.place).toMatchObject({ file: 'test/fixtures/model-unused-gap.yaml', field: 'gaps[2].id' });
  });

  it('reports a gate that can never be passed at the blockedBy that makes it so, the gate beyond as unreachable, and the flip as unreachable', async () => {
    const { findings, at, of } = await check('test/fixtures/model-late-blocker.yaml');
    expect(findings.map((f) => `${f.kind} ${f.subject}`).sort()).toEqual([
      'flip-unreachable flipped',
      'gate-never-passes G2',
      'unreachable-gate G3',
    ]);
    const never = of('gate-never-passes')[0]!;
    expect(never.message).toBe('gate G2 can never be passed: GAP-2 is blockedBy GAP-3, which only the later gate G3 requires');
    expect(never.place.field).toBe('gaps[1].blockedBy[0]');
    expect(at(never.place)).toMatch(/^GAP-3/);
    expect(at(of('unreachable-gate')[0]!.place)).toMatch(/^G3/);
    expect(of('unreachable-gate')[0]!.message).toContain('gate G2 can never be passed');
    expect(at(of('flip-unreachable')[0]!.place)).toMatch(/^flip:/);
    expect(of('flip-unreachable')[0]!.message).toContain('the workflow is never armed');
  });

  it('reports a dead end where the only way out is halted, at the gate’s requires entry', async () => {
    const { at, of } = await check('test/fixtures/model-dead-end.yaml');
    const dead = of('dead-end');
    expect(dead.map((f) => f.subject)).toEqual(['G1.GAP-1']);
    expect(dead[0]!.place.field).toBe('gates[0].requires[0]');
    expect(at(dead[0]!.place)).toMatch(/^GAP-1/);
    expect(dead[0]!.message).toContain('GAP-1 is blockedBy GAP-2, which only the later gate G2 requires');
    expect(of('gate-never-passes').map((f) => f.subject)).toEqual(['G1']);
  });

  it('reports a flip no path reaches when the workflow gets armed but the flip guard never holds', async () => {
    const { findings, at } = await check('machines/o8-production-readiness.yaml', flipGuardNeverHolds);
    expect(findings.map((f) => f.kind)).toEqual(['flip-unreachable']);
    expect(findings[0]!.message).toBe('no path reaches the flip: from armed, no flip.start passes its guard, even with every GAP CLOSED');
    expect(at(findings[0]!.place)).toMatch(/^flip:/);
  });

  it('lists its findings in file order', async () => {
    const { findings } = await check('test/fixtures/model-dead-end.yaml');
    const lines = findings.map((f) => f.place.line!);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });
});

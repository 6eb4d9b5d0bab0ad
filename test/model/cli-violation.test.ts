import { describe, expect, it, vi } from 'vitest';
import { lenientFlipGuard } from '../fixtures/broken-machines.js';
import { runCli } from './run-cli.js';

// The CLI builds its machine from the spec; here the build hands it the broken variant instead.
vi.mock('../../src/machine/build.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/machine/build.js')>();
  return {
    ...real,
    buildMachine: (spec: Parameters<typeof real.buildMachine>[0]) => ({
      ...real.buildMachine(spec),
      machine: lenientFlipGuard(real.buildMachine(spec).machine),
    }),
  };
});

describe('flipgate test on a machine that breaks an invariant', () => {
  it('prints each failing path with the step and the invariant, and exits 1', async () => {
    const r = await runCli(['test', 'machines/o8-production-readiness.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^✗ flip-needs-proof violated on path #\d+ ".* → flip\.start\[GAP-\d+ OPEN\] → switch enabled", step (\d+) of \1 \(switch enabled\), flipping → flipped: reached flipped while GAP-\d+ is OPEN/m,
    );
    expect(r.stdout).toMatch(/^✗ \d+ of \d+ paths violate an invariant$/m);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const O8 = 'machines/o8-production-readiness.yaml';

describe('flipgate test', () => {
  it('runs the generated path tests of a workflow, prints full coverage and exits 0 when every invariant holds', async () => {
    const r = await runCli(['test', O8]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^machines\/o8-production-readiness\.yaml: \d+ path tests \(\d+ steps\) generated from workflow o8-production-readiness in \d+ ms; 8 invariants checked at every step$/m,
    );
    expect(r.stdout).toMatch(/^coverage: states (\d+)\/\1 \(100%\), transitions (\d+)\/\2 \(100%\)$/m);
    expect(r.stdout).toContain('✓ every invariant holds on every path');
  });

  it('takes the workflow from --workflow when no file is given', async () => {
    const r = await runCli(['test', '--workflow', 'test/fixtures/model-unused-gap.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^test\/fixtures\/model-unused-gap\.yaml: /);
  });

  it('--json gives the report with schemaVersion 1, the coverage and no failures', async () => {
    const body = JSON.parse((await runCli(['test', O8, '--json'])).stdout);
    expect(body).toMatchObject({ schemaVersion: 1, workflow: 'o8-production-readiness', file: O8, failures: [] });
    expect(body.coverage.states.covered).toBe(body.coverage.states.total);
    expect(body.invariants).toEqual([
      'flip-needs-proof',
      'unsafe-switch-halts',
      'disable-halts',
      'flip-needs-signed-approvals',
      'disable-ends-safe',
      'error-is-not-closed',
      'only-proof-advances',
      'blocker-first',
    ]);
  });

  it('shows coverage below 100% and points to flipgate check when part of the workflow cannot be reached', async () => {
    const r = await runCli(['test', 'test/fixtures/model-late-blocker.yaml']);
    expect(r.stdout).toMatch(/^coverage: states \d+\/\d+ \(\d+\.\d%\)/m);
    expect(r.stdout).toMatch(/no path reaches G2\.passed, .*flipped — run flipgate check test\/fixtures\/model-late-blocker\.yaml/);
  });

  it('exits 2 with one line naming the file when it does not exist', async () => {
    const r = await runCli(['test', 'no-such-workflow.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'flipgate: no-such-workflow.yaml: workflow file does not exist — check the path given to --workflow or FLIPGATE_WORKFLOW\n',
    );
  });
});

describe('flipgate check', () => {
  it('exits 0 and says so when the model has no findings', async () => {
    const r = await runCli(['check', O8]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no model findings');
  });

  it('prints one line per finding with file:line:column, field, problem and fix, and exits 1', async () => {
    const r = await runCli(['check', 'test/fixtures/model-late-blocker.yaml']);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, -1).every((l) => /^test\/fixtures\/model-late-blocker\.yaml:\d+:\d+: \S+: .+ — .+$/.test(l))).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toBe('✗ 3 model findings in workflow model-late-blocker');
  });

  it('--json lists the findings with their kind, subject, line and column', async () => {
    const body = JSON.parse((await runCli(['check', 'test/fixtures/model-unused-gap.yaml', '--json'])).stdout);
    expect(body).toMatchObject({ schemaVersion: 1, workflow: 'model-unused-gap' });
    expect(body.findings).toEqual([
      expect.objectContaining({
        kind: 'unused-gap',
        subject: 'GAP-3',
        file: 'test/fixtures/model-unused-gap.yaml',
        line: expect.any(Number),
        column: expect.any(Number),
        field: 'gaps[2].id',
      }),
    ]);
  });
});

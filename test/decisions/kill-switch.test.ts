import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSeedHost, type SeedHost } from '../../src/demo/seed-host.js';
import { createPostgresAccess } from '../../src/probes/pg/access.js';
import { localHost } from '../../src/probes/support/local-host.js';
import { runOneCheck } from '../../src/runner/engine/run-checks.js';
import { loadWorkflow } from '../../src/spec/load.js';
import { type Check, killSwitchChecks } from '../../src/spec/schema.js';

// The O8 kill switch proves both states with positive evidence: on the demo host, exactly one of
// its two checks passes in each state, and neither does while the file is caught mid-rewrite.
describe('the O8 kill switch on the demo host', () => {
  let root: string;
  let host: SeedHost;
  let checks: { safe: Check; enabled: Check | undefined };
  const postgres = createPostgresAccess({ env: {}, maxConnections: 1 });
  const read = async () => {
    const run = (check: Check) =>
      runOneCheck(
        { ref: 'killSwitch', owner: { kind: 'killSwitch', id: 'killSwitch' }, check },
        { concurrency: 1, timeoutMs: 5000, context: { host: localHost(root), env: {}, postgres }, signoffsFor: () => [] },
      );
    return { safe: (await run(checks.safe)).status, enabled: (await run(checks.enabled!)).status };
  };
  const switchFile = () => path.join(root, 'opt/incomex/dot/cutter/execution.py');

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flipgate-switch-'));
    host = await buildSeedHost({ root, sql: { query: async () => undefined } }); // files only: no database needed here
    checks = killSwitchChecks((await loadWorkflow('machines/o8-production-readiness.yaml', { env: { ...host.vars } })).spec);
  });
  afterAll(async () => {
    await postgres.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reads safe and not enabled as the seed found it, then enabled and not safe after the flip command', async () => {
    expect(checks.enabled).toBeDefined();
    expect(await read()).toEqual({ safe: 'pass', enabled: 'fail' });
    execFileSync(host.vars.CUTTER_BIN!, ['execution', 'enable']);
    expect(await read()).toEqual({ safe: 'fail', enabled: 'pass' });
    execFileSync(host.vars.CUTTER_BIN!, ['execution', 'disable']);
    expect(await read()).toEqual({ safe: 'pass', enabled: 'fail' });
  });

  it('reads neither while the switch file is empty or half written', async () => {
    await writeFile(switchFile(), '');
    expect(await read()).toEqual({ safe: 'fail', enabled: 'fail' });
    await writeFile(switchFile(), '# Kill switch: execution stays off until the O8 flip.\n__execution_enab');
    expect(await read()).toEqual({ safe: 'fail', enabled: 'fail' });
  });
});

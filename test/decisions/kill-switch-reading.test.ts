import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { disableWorkflow, flipWorkflow, resumeWorkflow } from '../../src/runner/decisions.js';
import { readStatus } from '../../src/runner/workflow.js';
import { reporters } from '../../src/reporters/index.js';
import { advanceAll, provisionEverything, setupSeedHost, type SeedFixture } from '../support/seed.js';

const switchFile = (fx: SeedFixture) => path.join(fx.root, 'opt/incomex/dot/cutter/execution.py');

describe('the kill switch is read truthfully', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost();
    await provisionEverything(fx);
    expect((await advanceAll(fx.session('operator'))).outcome).toBe('armed');
  });
  afterEach(() => fx.cleanup());

  it('30 flips whose flip command does nothing, against a switch file rewritten in a loop, give 0 flipped', async () => {
    const safeText = await readFile(switchFile(fx), 'utf8');
    // Another process rewrites the (still safe) switch file over and over: readers catch it empty or half written.
    const loop = spawn(process.execPath, ['-e', `const fs=require('fs');const f=process.argv[1],t=process.argv[2];const nap=()=>Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,1);for(;;){fs.writeFileSync(f,'');nap();fs.writeFileSync(f,t.slice(0,t.length>>1));nap();fs.writeFileSync(f,t);Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0,15);}`, switchFile(fx), safeText], { stdio: 'ignore' });
    const outcomes: Record<string, number> = {};
    try {
      const env = { ...fx.env, CUTTER_NOOP_ON: 'enable' };
      const [carol, operator, reader] = [fx.session('carol', { env }), fx.session('operator', { env }), fx.session('reader')];
      for (let i = 0; i < 30; i++) {
        const r = await flipWorkflow(carol, { execute: true });
        outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        for (let tries = 0; tries < 50 && (await readStatus(reader)).state === 'halted'; tries++) await resumeWorkflow(operator);
      }
    } finally {
      loop.kill();
    }
    expect(outcomes.flipped ?? 0).toBe(0);
    expect((outcomes.failed ?? 0) + (outcomes.refused ?? 0)).toBe(30);
    expect(outcomes.failed, 'most flips ran their command and then read the switch').toBeGreaterThanOrEqual(15);
    const reads = (await fx.store.readEvents()).filter((e) => e.type === 'killswitch.read').map((e) => (e.data as { reading: string }).reading);
    expect(reads).not.toContain('enabled');
  });

  it('status after a flip, and after a disable that failed, shows the latest reading with its time and command', async () => {
    const flip = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(flip.outcome, flip.message).toBe('flipped');
    const after = await readStatus(fx.session('reader'));
    expect(after.killSwitch).toMatchObject({ status: 'enabled', read: { actor: 'carol', command: 'flip --execute' } });
    expect(reporters.table(after, { color: false })).toMatch(/flipped — execution is enabled[\s\S]*Kill switch: execution ENABLED[\s\S]*read \S+ by carol \(flip --execute, ledger event \d+\)/);

    const off = await disableWorkflow(fx.session('dave', { env: { ...fx.env, CUTTER_FAIL_ON: 'disable' } }), 'incident');
    expect(off.safe).toBe(false);
    const halted = await readStatus(fx.session('reader'));
    expect(halted.state).toBe('halted');
    expect(halted.killSwitch).toMatchObject({ status: 'enabled', read: { actor: 'dave', command: 'disable' } });
    for (const format of ['table', 'markdown', 'json', 'junit'] as const) {
      const text = reporters[format](halted, { color: false });
      expect(text, format).toMatch(/enabled/i);
      expect(text, format).not.toMatch(/HALTED — execution disabled/);
    }
    expect(await readFile(switchFile(fx), 'utf8')).toMatch(/= True/);
  });

  it('flip --execute refuses a workflow whose kill switch has no enabled: check', async () => {
    await fx.cleanup();
    fx = await setupSeedHost({ edit: (yaml) => yaml.replace(/^  enabled:\n(    .*\n)+/m, '') });
    expect(fx.wf.spec.killSwitch.enabled).toBeUndefined();
    await provisionEverything(fx);
    await advanceAll(fx.session('operator'));
    const r = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(/the kill switch has no enabled: check/);
    expect(await readFile(switchFile(fx), 'utf8')).toMatch(/= False/);
  });
});

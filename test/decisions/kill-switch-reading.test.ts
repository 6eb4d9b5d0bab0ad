import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reporters } from '../../src/reporters/index.js';
import { disableWorkflow } from '../../src/runner/actions/disable.js';
import { flipWorkflow } from '../../src/runner/actions/flip.js';
import { resumeWorkflow } from '../../src/runner/actions/resume.js';
import { readStatus } from '../../src/runner/actions/survey-advance.js';
import { advanceAll, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

const switchFile = (fx: SeedFixture) => path.join(fx.root, 'opt/incomex/dot/cutter/execution.py');

describe('the kill switch is read truthfully', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost();
    await provisionEverything(fx);
    expect((await advanceAll(fx.session('operator'))).outcome).toBe('armed');
  });
  afterEach(() => fx.cleanup());

  it('30 flips whose flip command only rewrites the (still safe) switch file give 0 flipped', async () => {
    // The flip command starts a process that rewrites the switch file for a moment — empty, half
    // written, whole, over and over, never turning execution on — and exits: the flip's own reads
    // of the switch catch it mid-rewrite. A missing "safe" used to read as "enabled".
    const script = path.join(tmpdir(), `flipgate-rewrite-switch-${process.pid}.cjs`);
    await writeFile(
      script,
      `const fs = require('fs'), path = require('path');
const f = path.join(path.dirname(path.dirname(process.env.CUTTER_BIN)), 'cutter', 'execution.py');
const t = fs.readFileSync(f, 'utf8'), end = Date.now() + 400;
while (Date.now() < end) { fs.writeFileSync(f, ''); fs.writeFileSync(f, t.slice(0, t.length >> 1)); fs.writeFileSync(f, t); }
`,
    );
    await fx.cleanup();
    fx = await setupSeedHost({
      edit: (yaml) =>
        yaml.replace(
          'command: ["${CUTTER_BIN}", "execution", "enable"]',
          `command: ["/bin/sh", "-c", "\\"$0\\" \\"$1\\" >/dev/null 2>&1 & sleep 0.2", "${process.execPath}", "${script}"]`,
        ),
    });
    await provisionEverything(fx);
    const [carol, operator, reader] = [fx.session('carol'), fx.session('operator'), fx.session('reader')];
    expect((await advanceAll(operator)).outcome).toBe('armed');
    const outcomes: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const r = await flipWorkflow(carol, { execute: true });
      outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
      await new Promise((done) => setTimeout(done, 400)); // the rewriting process has finished
      for (let tries = 0; tries < 100 && (await readStatus(reader)).state !== 'armed'; tries++) await resumeWorkflow(operator);
    }
    expect(outcomes).toEqual({ failed: 30 });
    const reads = (await fx.store.readEvents())
      .filter((e) => e.type === 'killswitch.read')
      .map((e) => (e.data as { reading: string }).reading);
    expect(reads).not.toContain('enabled');
    expect(reads).toContain('unreadable');
    await rm(script, { force: true });
  });

  it('status after a flip, and after a disable that failed, shows the latest reading with its time and command', async () => {
    const flip = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(flip.outcome, flip.message).toBe('flipped');
    const after = await readStatus(fx.session('reader'));
    expect(after.killSwitch).toMatchObject({ status: 'enabled', read: { actor: 'carol', command: 'flip --execute' } });
    expect(reporters.table(after, { color: false })).toMatch(
      /flipped — execution is enabled[\s\S]*Kill switch: execution ENABLED[\s\S]*read \S+ by carol \(flip --execute, ledger event \d+\)/,
    );

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
    fx = await setupSeedHost({ edit: (yaml) => yaml.replace(/^ {2}enabled:\n( {4}.*\n)+/m, '') });
    expect(fx.wf.spec.killSwitch.enabled).toBeUndefined();
    await provisionEverything(fx);
    await advanceAll(fx.session('operator'));
    const r = await flipWorkflow(fx.session('carol'), { execute: true });
    expect(r.outcome).toBe('refused');
    expect(r.message).toMatch(/the kill switch has no enabled: check/);
    expect(await readFile(switchFile(fx), 'utf8')).toMatch(/= False/);
  });
});

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/store/lock.js';
import { cliPath, flipgate } from '../support/cli.js';
import { advanceAll, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

// The way back always works: disable runs the disable command and re-reads the switch first,
// whatever the store's state, then records — or says plainly that it could not, and keeps the record.
describe('disable acts first, whatever the state of the store', () => {
  let fx: SeedFixture;
  let base: string[];
  const switchText = () => readFile(path.join(fx.root, 'opt/incomex/dot/cutter/execution.py'), 'utf8');
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    flipgate([...args, ...base, ...(['audit', 'status'].includes(args[0]!) ? [] : ['--root', fx.root])], {
      env: { ...fx.env, ...env },
      cwd: fx.root,
      timeoutMs: 60_000,
    });

  async function flipped(edit?: (yaml: string) => string) {
    fx = await setupSeedHost(edit ? { edit } : {});
    base = ['--workflow', fx.workflowFile, '--store', fx.storePath];
    await provisionEverything(fx);
    expect((await advanceAll(fx.session('operator'))).outcome).toBe('armed');
    const flip = await run(['flip', '--execute', '--as', 'carol']);
    expect(flip.code, flip.stdout + flip.stderr).toBe(0);
    expect(await switchText()).toMatch(/= True/);
  }
  afterEach(() => fx.cleanup());

  it('with a damaged last ledger line: execution goes off first, then the disable is recorded after it', async () => {
    await flipped();
    await appendFile(fx.store.ledgerFile, '{"seq": 99, "type": "trunc');
    const r = await run(['disable', '--reason', 'incident', '--as', 'oncall']);
    expect(await switchText()).toMatch(/= False/);
    expect(r.stdout).toMatch(/execution disabled; the switch reads safe/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/halted \(was flipped\)/);
    expect((await fx.store.readEvents()).findLast((e) => e.type === 'disable.command')).toMatchObject({
      actor: 'oncall',
      data: { ok: true },
    });
  });

  it('with an unreachable Postgres store: execution goes off, exit 1, the record waits in the journal of the state folder', async () => {
    await flipped();
    const r = await flipgate(
      [
        'disable',
        '--reason',
        'incident',
        '--as',
        'oncall',
        '--workflow',
        fx.workflowFile,
        '--store',
        'postgres://127.0.0.1:1/x',
        '--root',
        fx.root,
      ],
      { env: fx.env, cwd: fx.root, timeoutMs: 60_000 },
    );
    expect(await switchText()).toMatch(/= False/);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/execution disabled; the switch reads safe .*but it could NOT be recorded in postgres:\/\/127\.0\.0\.1:1\/x/);
    const journal = path.join(fx.root, 'state', 'o8-production-readiness.journal.jsonl');
    expect(JSON.parse((await readFile(journal, 'utf8')).trim())).toMatchObject({
      kind: 'disable',
      actor: 'oncall',
      reason: 'incident',
      reading: 'safe',
      commands: [{ ok: true }],
    });
  });

  it('with the ledger locked by another command: execution goes off at once; the next command that can write appends the record', async () => {
    await flipped();
    const held = await acquireLock(fx.store.ledgerFile);
    let r: Awaited<ReturnType<typeof run>>;
    try {
      r = await run(['disable', '--reason', 'incident', '--as', 'oncall'], { FLIPGATE_DISABLE_RECORD_WAIT_MS: '1500' });
      expect(await switchText()).toMatch(/= False/);
    } finally {
      await held.release();
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/NOT recorded: the store is busy/);
    const journal = path.join(path.dirname(fx.storePath), 'o8-production-readiness.journal.jsonl');
    expect(existsSync(journal)).toBe(true);
    expect((await fx.store.readEvents()).some((e) => e.type === 'disable.requested')).toBe(false);

    const status = JSON.parse((await run(['status', '--format', 'json'])).stdout);
    expect(status.killSwitch).toMatchObject({ status: 'safe', read: { actor: 'oncall', command: 'disable, waiting in the journal' } });
    const waiting = await run(['audit']);
    expect(waiting.stdout).toMatch(
      /! a disable by oncall at \S+ \(incident\) ran — the switch read safe — but is not in the ledger yet \(the store is busy/,
    );
    const next = await run(['survey', '--as', 'auditor']);
    expect(next.stderr).toMatch(/1 disable\(s\) that could not be recorded when they ran are appended/);
    const events = await fx.store.readEvents();
    expect(events.find((e) => e.type === 'disable.requested')).toMatchObject({
      actor: 'oncall',
      data: { journaled: { problem: expect.stringMatching(/busy/) } },
    });
    expect(events.findLast((e) => e.type === 'transition')!.to).toBe('halted');
    expect(await readFile(journal, 'utf8')).toBe('');
    const audit = await run(['audit']);
    expect(audit.stdout).toMatch(/waited in the journal/);
  });

  it("a flip command's lingering child keeps neither flipgate running nor the ledger locked", async () => {
    await flipped((yaml) =>
      yaml.replace(
        'command: ["${CUTTER_BIN}", "execution", "enable"]',
        'command: ["/bin/sh", "-c", "\\"$0\\" execution enable && (sleep 60 &)", "${CUTTER_BIN}"]',
      ),
    );
    const off = await run(['disable', '--reason', 'done', '--as', 'oncall'], { FLIPGATE_DISABLE_RECORD_WAIT_MS: '3000' });
    expect(off.code, off.stderr).toBe(0);
    expect(await switchText()).toMatch(/= False/);
  });

  it('works from flipping, left behind by a killed flip --execute', async () => {
    fx = await setupSeedHost({
      edit: (yaml) =>
        yaml.replace(
          'command: ["${CUTTER_BIN}", "execution", "enable"]',
          'command: ["/bin/sh", "-c", "\\"$0\\" execution enable && sleep 60", "${CUTTER_BIN}"]',
        ),
    });
    base = ['--workflow', fx.workflowFile, '--store', fx.storePath];
    await provisionEverything(fx);
    await advanceAll(fx.session('operator'));
    const child = spawn(process.execPath, [cliPath, 'flip', '--execute', '--as', 'carol', ...base, '--root', fx.root], {
      env: fx.env,
      cwd: fx.root,
      stdio: 'ignore',
    });
    for (let i = 0; i < 300 && !/= True/.test(await switchText()); i++) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    expect((await fx.store.readEvents()).findLast((e) => e.type === 'transition')!.to).toBe('flipping');
    const off = await run(['disable', '--reason', 'flip died', '--as', 'oncall']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/\(was flipping\)/);
    expect(await switchText()).toMatch(/= False/);
  });
});

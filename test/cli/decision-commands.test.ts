import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';
import { advanceAll, o8WithWaivers, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);

describe('approve, waive, flip and disable from the command line', () => {
  let fx: SeedFixture;
  let base: string[];
  beforeEach(async () => {
    fx = await setupSeedHost({ edit: o8WithWaivers(['cto']) });
    base = ['--workflow', fx.workflowFile, '--store', fx.storePath];
  });
  afterEach(() => fx.cleanup());

  it('approve says plainly that approvals are unauthenticated; a GAP with no approval check is refused with exit 2', async () => {
    const ok = await flipgate(['approve', 'GAP-7', ...base, '--as', 'alice', '--note', 'ruling 7'], { env: fx.env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/alice approved GAP-7/);
    expect(ok.stdout).toMatch(/approvals are unauthenticated/);
    const bad = await flipgate(['approve', 'GAP-1', ...base, '--as', 'alice'], { env: fx.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/GAP-1 has no approval check/);
  });

  it('waive refuses a GAP the spec forbids with exit 1, and approvals lists standings', async () => {
    const no = await flipgate(['waive', 'GAP-6', ...base, '--as', 'cto', '--until', soon, '--reason', 'later'], { env: fx.env });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/refused: GAP-6 may not be waived/);
    expect(
      (await flipgate(['waive', 'GAP-5', ...base, '--as', 'cto', '--until', soon, '--reason', 'next sprint'], { env: fx.env })).code,
    ).toBe(0);
    const list = await flipgate(['approvals', ...base, '--json'], { env: fx.env });
    expect(JSON.parse(list.stdout).waivers[0]).toMatchObject({ gap: 'GAP-5', principal: 'cto', standing: 'active', reason: 'next sprint' });
  });

  it('flip without --execute exits 1 with the guards that fail, and 0 once it would proceed; --execute then flips', async () => {
    const args = [...base, '--root', fx.root, '--as', 'carol'];
    const early = await flipgate(['flip', ...args], { env: fx.env });
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/✗ the workflow is armed/);
    expect(early.stdout).toMatch(/nothing runs without --execute/);
    await provisionEverything(fx);
    await advanceAll(fx.session('op'));
    const plan = await flipgate(['flip', ...args, '--json'], { env: fx.env });
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ outcome: 'would-proceed', requester: 'carol' });
    const flip = await flipgate(['flip', ...args, '--execute'], { env: fx.env });
    expect(flip.code, flip.stdout + flip.stderr).toBe(0);
    expect(flip.stdout).toMatch(/execution is enabled/);
    const off = await flipgate(['disable', ...args, '--reason', 'done'], { env: fx.env });
    expect(off.code).toBe(0);
    const status = await flipgate(['status', ...base], { env: fx.env });
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/HALTED/);
    const back = await flipgate(['resume', ...args], { env: fx.env });
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/resumed at armed/);
  });
});

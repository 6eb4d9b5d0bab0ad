import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approveGap, waiveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { auditLedger } from '../../src/runner/read-models/audit.js';
import { flipgate } from '../support/cli.js';
import { o8WithWaivers, provisionEverything, type SeedFixture, setupSeedHost } from '../support/seed.js';

// One standing function behind approvals, audit, status and the reports.
describe('standing is shown the same way everywhere', () => {
  let fx: SeedFixture;
  let base: string[];
  beforeEach(async () => {
    fx = await setupSeedHost({ edit: o8WithWaivers(['cto']) });
    base = ['--workflow', fx.workflowFile, '--store', fx.storePath];
  });
  afterEach(() => fx.cleanup());

  it('audit lists no lapsed approval among the sign-offs that stood, and says why it no longer counts', async () => {
    await provisionEverything(fx);
    await runSurvey(fx.session('s'));
    await rm(path.join(fx.root, 'var/lib/cutter/runs/revert-dry-run.log'));
    await runSurvey(fx.session('s')); // GAP-6 reopens: the GAP-8 sign-off given before it lapses
    await fx.host.provision('GAP-6');
    await runSurvey(fx.session('s'));
    const gap8 = auditLedger(await fx.store.readEvents()).gaps.find((g) => g.gap === 'GAP-8')!;
    expect(gap8.status).not.toBe('CLOSED');
    for (const change of [gap8.closedBy, gap8.reopenedBy].filter((c) => c && c.seq > (gap8.reopenedBy?.seq ?? 0)))
      expect(change!.signoffs).toEqual([]);
    const cli = await flipgate(['audit', 'GAP-8', ...base], { env: fx.env });
    expect(cli.stdout).toMatch(/✗ #\d+ GAP-8 approved by release-manager: lapsed: GAP-\d reopened at event \d+/);
    expect(cli.stdout).not.toMatch(/sign-offs standing: release-manager[^\n]*\n[^\n]*GAP-8 OPEN/);
  });

  it('a duplicate approval is listed once; an expired waiver shows expired in approvals and status, never WAIVED', async () => {
    await approveGap(fx.session('alice'), 'GAP-7');
    await approveGap(fx.session('Alice'), 'GAP-7');
    const list = await flipgate(['approvals', ...base], { env: fx.env });
    expect(list.stdout.match(/GAP-7 {2}alice/g)).toHaveLength(1);

    const t0 = new Date();
    await waiveGap(fx.session('cto'), 'GAP-5', new Date(t0.getTime() + 3_600_000).toISOString(), 'config next sprint');
    expect((await runSurvey(fx.session('s'))).report.gaps.find((g) => g.id === 'GAP-5')!.status).toBe('WAIVED');
    const later = fx.session('s', { now: () => new Date(t0.getTime() + 7_200_000) });
    const status = await readStatus(later);
    expect(status.gaps.find((g) => g.id === 'GAP-5')).toMatchObject({ status: 'OPEN', waiver: { by: 'cto', expired: true } });
  });
});

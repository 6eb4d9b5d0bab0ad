import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { auditLedger } from '../../src/runner/read-models/audit.js';
import { eventText } from '../../src/store/chain.js';
import { verifyLedger } from '../../src/store/verify.js';
import { type SeedFixture, setupSeedHost } from '../support/seed.js';

describe('rounds that see what the last round saw', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    fx = await setupSeedHost();
  });
  afterEach(() => fx.cleanup());

  it('are recorded compactly, pointing at that round, and change nothing in the status', async () => {
    const s = fx.session('watcher');
    const first = await runSurvey(s);
    const second = await runSurvey(s);
    const third = await runSurvey(s);
    const [full, repeat] = [first.recorded.find((e) => e.type === 'survey')!, second.recorded.find((e) => e.type === 'survey')!];
    expect(full.data).toHaveProperty('checks');
    expect(repeat.data).toEqual({ scope: 'survey' });
    expect(repeat.cause).toEqual({ kind: 'repeat', of: full.seq });
    expect(third.recorded.find((e) => e.type === 'survey')!.cause).toEqual({ kind: 'repeat', of: full.seq });
    // One short line: what the round saw is the referenced round's, digest and all.
    expect(second.recorded).toHaveLength(1);
    expect(Buffer.byteLength(`${eventText(repeat)}\n`)).toBeLessThanOrEqual(340);
    const strip = (r: Awaited<ReturnType<typeof readStatus>>) => ({
      ...r,
      surveyed: undefined,
      ledger: undefined,
      view: undefined,
      killSwitch: { ...r.killSwitch, read: undefined },
      gaps: r.gaps.map((g) => ({ ...g, checks: g.checks.map(({ ms: _ms, ...c }) => c) })),
      sections: r.sections.map((x) => ({ ...x, checks: x.checks.map(({ ms: _ms, ...c }) => c) })),
    });
    expect(strip(third.report)).toEqual(strip(first.report));
    expect(third.report.surveyed?.seq).toBeGreaterThan(first.report.surveyed!.seq);
    const events = await fx.store.readEvents();
    expect(verifyLedger(events).ok).toBe(true);
    expect(auditLedger(events).timeline.find((t) => t.seq === repeat.seq)!.summary).toMatch(
      new RegExp(`the same results as event ${full.seq}`),
    );
  });

  it('write the checks out again as soon as anything differs', async () => {
    const s = fx.session('watcher');
    await runSurvey(s);
    await runSurvey(s);
    await fx.host.provision('GAP-5');
    const changed = await runSurvey(s);
    expect(changed.recorded.find((e) => e.type === 'survey')!.data).toHaveProperty('checks');
    expect(changed.report.gaps.find((g) => g.id === 'GAP-5')!.status).toBe('CLOSED');
    expect(changed.recorded.filter((e) => e.type === 'gap.status').map((e) => e.subject)).toEqual(['GAP-5']);
  });
});

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gapStatusText } from '../../src/reporters/words.js';
import { approveGap } from '../../src/runner/actions/signoffs.js';
import { advanceWorkflow, readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { type SeedFixture, seedSection6, setupSeedHost } from '../support/seed.js';

describe('the O8 workflow on a host in the state the seed describes', () => {
  let fx: SeedFixture;
  beforeEach(async () => {
    surveyor = undefined;
    fx = await setupSeedHost();
  });
  afterEach(async () => {
    await fx.cleanup();
  });

  // One probing session per test: the embedded Postgres takes a handful of connections at most.
  let surveyor: ReturnType<SeedFixture['session']> | undefined;
  const table = async () => {
    surveyor ??= fx.session('surveyor');
    const { report } = await runSurvey(surveyor);
    return { report, statuses: Object.fromEntries(report.gaps.map((g) => [g.id, gapStatusText(g)])) };
  };

  it('surveys to the seed’s GAP table, GAP for GAP', async () => {
    const { report, statuses } = await table();
    expect(statuses).toEqual(seedSection6);
    expect(report.killSwitch.status).toBe('safe');
    expect(report.ready).toBe(false);
    expect(report.errors).toBe(0);
  });

  it('reports the seed’s sections: four roles, the governance schema, 3 review_decision rows, secrets present', async () => {
    const { report } = await table();
    const section = (id: string) => report.sections.find((s) => s.id === id)!;
    expect(section('roles').checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    expect(section('governance').checks[0]!.evidence).toBe('query returned 3 rows');
    expect(section('secrets').checks.every((c) => c.status === 'pass')).toBe(true);
    expect(section('rollback').checks.find((c) => c.id === 'orchestrate-cli')!.status).toBe('fail');
  });

  it('closes each GAP when its missing piece is provisioned, and only that GAP', async () => {
    const steps: { act: () => Promise<unknown>; closes: string[]; unblocks?: string[] }[] = [
      { act: () => fx.host.provision('GAP-3'), closes: ['GAP-3'] },
      { act: () => approveGap(fx.session('dq4-board'), 'GAP-4'), closes: ['GAP-4'] },
      { act: () => fx.host.provision('GAP-5'), closes: ['GAP-5'] },
      { act: () => fx.host.provision('GAP-9'), closes: ['GAP-9'] },
      { act: () => fx.host.provision('GAP-6'), closes: ['GAP-6'], unblocks: ['GAP-8'] },
      { act: () => approveGap(fx.session('release-manager'), 'GAP-8'), closes: ['GAP-8'] },
      {
        act: async () => {
          await approveGap(fx.session('alice'), 'GAP-7');
          return approveGap(fx.session('bob'), 'GAP-7');
        },
        closes: ['GAP-7'],
      },
    ];
    let before = (await table()).statuses;
    for (const step of steps) {
      await step.act();
      const after = (await table()).statuses;
      const changed = Object.keys(after).filter((g) => after[g] !== before[g]);
      expect(changed, `after provisioning ${step.closes.join(', ')}`).toEqual([...step.closes, ...(step.unblocks ?? [])].sort());
      for (const g of step.closes) expect(after[g]).toBe('CLOSED');
      for (const g of step.unblocks ?? []) expect(after[g]).toBe('OPEN');
      before = after;
    }
    const { report } = await table();
    expect(report.ready).toBe(true);
  });

  it('keeps GAP-8 BLOCKED while GAP-6 or GAP-9 is open, even once its own sign-off is in', async () => {
    await approveGap(fx.session('release-manager'), 'GAP-8');
    await fx.host.provision('GAP-9');
    const { report } = await table();
    const g8 = report.gaps.find((g) => g.id === 'GAP-8')!;
    expect(g8.status).toBe('BLOCKED');
    expect(g8.own).toBe('CLOSED');
    expect(gapStatusText(g8)).toBe('BLOCKED');
  });

  it('counts one approval per principal: the same approver twice does not close a GAP that needs two', async () => {
    await approveGap(fx.session('alice'), 'GAP-7');
    await approveGap(fx.session('alice'), 'GAP-7');
    const { report } = await table();
    expect(report.gaps.find((g) => g.id === 'GAP-7')!.status).toBe('OPEN');
  });

  it('advances gate by gate to armed, and says what blocks when it cannot', async () => {
    const s = fx.session('operator');
    expect((await advanceWorkflow(s)).outcome).toBe('advanced');
    const blocked = await advanceWorkflow(s);
    expect(blocked.outcome).toBe('blocked');
    expect(blocked.blockers.map((b) => `${b.gap} ${b.status}`)).toEqual(['GAP-3 OPEN', 'GAP-4 PARTIAL', 'GAP-5 OPEN']);
    expect(blocked.blockers[0]!.reasons.join('\n')).toMatch(/BACKUP_GPG_FPR/);
    expect((await readStatus(s)).state).toBe('G2');

    await fx.host.provision('GAP-3');
    await fx.host.provision('GAP-5');
    await approveGap(fx.session('dq4-board'), 'GAP-4');
    expect((await advanceWorkflow(s)).to).toMatch(/^G3\./);
    await fx.host.provision('GAP-9');
    expect((await advanceWorkflow(s)).to).toMatch(/^G4\./);
    await fx.host.provision('GAP-6');
    expect((await advanceWorkflow(s)).to).toMatch(/^G5\./);
    await approveGap(fx.session('release-manager'), 'GAP-8');
    expect((await advanceWorkflow(s)).to).toMatch(/^G6\./);
    await approveGap(fx.session('alice'), 'GAP-7');
    await approveGap(fx.session('bob'), 'GAP-7');
    const last = await advanceWorkflow(s);
    expect(last.outcome).toBe('armed');
    expect((await readStatus(s)).state).toBe('armed');
  });

  it('halts when the kill switch reads execution enabled before the flip', async () => {
    const s = fx.session('operator');
    await advanceWorkflow(s);
    const file = `${fx.root}/opt/incomex/dot/cutter/execution.py`;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, (await readFile(file, 'utf8')).replace('= False', '= True'));
    const r = await advanceWorkflow(s);
    expect(r.outcome).toBe('halted');
    expect((await readStatus(s)).state).toBe('halted');
    expect((await advanceWorkflow(s)).outcome).toBe('halted');
  });

  it('halts when the kill switch cannot be read', async () => {
    const { rm } = await import('node:fs/promises');
    await rm(`${fx.root}/opt/incomex/dot/cutter/execution.py`);
    const r = await advanceWorkflow(fx.session('operator'));
    expect(r.outcome).toBe('halted');
    expect(r.report.killSwitch.status).toBe('unreadable');
  });

  it('sends the workflow back to the gate of a GAP that reopens', async () => {
    const s = fx.session('operator');
    await fx.host.provision('GAP-3');
    await fx.host.provision('GAP-5');
    await approveGap(fx.session('dq4-board'), 'GAP-4');
    await advanceWorkflow(s);
    await advanceWorkflow(s);
    expect((await readStatus(s)).state).toBe('G3');
    const { rm } = await import('node:fs/promises');
    await rm(`${fx.root}/var/lib/cutter/locks`, { recursive: true });
    const r = await advanceWorkflow(s);
    expect(r.to).toBe('G2.GAP-5');
    expect(r.outcome).toBe('blocked');
  });
});

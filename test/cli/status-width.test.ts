import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable } from '../../src/reporters/table.js';
import { gapReason } from '../../src/reporters/words.js';
import type { StatusReport } from '../../src/runner/read-models/report.js';
import { flipgate } from '../support/cli.js';
import { O8, type SeedFixture, setupSeedHost } from '../support/seed.js';

/** Columns a line takes on a terminal, roughly: an emoji is two. */
const columns = (line: string) =>
  Array.from(line.replace(/\uFE0F/g, '')).reduce((n, ch) => n + (ch.codePointAt(0)! > 0x2500 && !/[✓✗◀→—…·]/.test(ch) ? 2 : 1), 0);

describe('the GAP table on narrow and wide terminals', () => {
  let fx: SeedFixture;
  let report: StatusReport;
  let args: string[];
  beforeAll(async () => {
    fx = await setupSeedHost();
    args = ['--workflow', O8, '--root', fx.root, '--store', fx.storePath];
    report = JSON.parse((await flipgate(['survey', ...args, '--json'], { env: fx.env })).stdout);
  });
  afterAll(() => fx.cleanup());

  it('wraps evidence to a 100-column terminal instead of cutting it', () => {
    const text = formatTable(report, { color: false, width: 100 });
    const table = text.slice(text.indexOf('GAP status'));
    for (const line of table.split('\n')) expect(columns(line), line).toBeLessThanOrEqual(100);
    // Each GAP's rows, whitespace removed, hold its whole evidence: wrapped, not cut.
    const blocks = table.split(/\n(?=GAP-)/);
    for (const g of report.gaps) {
      const block = blocks.find((b) => b.startsWith(`${g.id} `))!;
      expect(block.replace(/\s+/g, '')).toContain(gapReason(g).replace(/\s+/g, ''));
    }
    expect(blocks.find((b) => b.startsWith('GAP-3 '))!.split('\n').length).toBeGreaterThan(1);
  });

  it('with --wide keeps each GAP on one line with its whole definition and evidence', async () => {
    const text = formatTable(report, { color: false, width: 100, wide: true });
    const gap3 = report.gaps.find((g) => g.id === 'GAP-3')!;
    const evidence = gap3.checks.find((c) => c.status === 'fail')!.evidence;
    expect(text.split('\n').find((l) => l.startsWith('GAP-3'))).toContain(evidence);
    const status = await flipgate(['status', ...args, '--wide']);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n').find((l) => l.startsWith('GAP-3'))).toContain(evidence);
  });
});

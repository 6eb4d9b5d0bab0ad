import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';

describe('audit of a ledger holding a line that is not an event', () => {
  let project: string;
  beforeEach(async () => {
    project = await mkdtemp(path.join(tmpdir(), 'flipgate-audit-damaged-'));
    await mkdir(path.join(project, 'host'));
  });
  afterEach(() => rm(project, { recursive: true, force: true }));

  it('exits 1 naming the line and shows the events around it, never an internal error', async () => {
    const at = { cwd: project };
    expect((await flipgate(['init', 'web'], at)).code).toBe(0);
    await flipgate(['survey', '--root', 'host', '--as', 'ops'], at);
    await appendFile(path.join(project, 'state', 'web.events.jsonl'), '{"seq":999,"not":"an event"}\n');
    for (const args of [['audit'], ['audit', '--json'], ['status']]) {
      const r = await flipgate(args, at);
      expect(r.stderr, args.join(' ')).not.toMatch(/internal error|TypeError/);
      expect(r.code, args.join(' ')).toBe(1);
    }
    const r = await flipgate(['audit'], at);
    expect(r.stdout).toMatch(/does not verify: event \d+ — not-canonical: event 999 \(line \d+\)/);
    expect(r.stdout).toMatch(/#1 .*anchored/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flipgate } from '../support/cli.js';

// A workflow of file checks only (no Postgres), with a title that reads a variable.
const spec = (title = 'Cache ${SUFFIX}') => `id: cached
title: ${title}
vars:
  APP: /opt/app
  SUFFIX: default
killSwitch: { id: switch, kind: file.contains, path: "\${APP}/switch.conf", pattern: '^enabled\\s*=\\s*false' }
gates:
  - { id: G1, title: Files in place, requires: [GAP-1] }
  - { id: G2, title: Approved, requires: [GAP-2] }
gaps:
  - id: GAP-1
    title: Config present
    checks:
      - { id: config, kind: file, path: "\${APP}/app.conf", mode: "0640" }
  - id: GAP-2
    title: Signed off
    checks:
      - { id: signoff, kind: approval, min: 1 }
`;

describe('the cache beside a file store', () => {
  let dir: string;
  let wf: string;
  let store: string;
  let cache: string;
  let args: string[];
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, FLIPGATE_ACTOR: 'ops', ...extra });
  const status = async (extra: string[] = [], e = env()) => {
    const r = await flipgate(['status', ...args, ...extra], { env: e });
    return { ...r, json: extra.includes('--json') ? JSON.parse(r.stdout) : undefined };
  };
  const uncached = async (extra: string[] = [], e = env()) => {
    await rm(cache, { force: true });
    return status(extra, e);
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'flipgate-cache-'));
    await mkdir(path.join(dir, 'opt/app'), { recursive: true });
    await writeFile(path.join(dir, 'opt/app/switch.conf'), 'enabled = false\n');
    await writeFile(path.join(dir, 'opt/app/app.conf'), 'x=1\n');
    await chmod(path.join(dir, 'opt/app/app.conf'), 0o640);
    wf = path.join(dir, 'wf.yaml');
    await writeFile(wf, spec());
    store = path.join(dir, 'state', 'cached.json');
    cache = path.join(dir, 'state', 'cached.cache.json');
    args = ['--workflow', wf, '--store', store];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers status with the same output and exit code as replaying the ledger, in every format', async () => {
    const survey = await flipgate(['survey', ...args, '--root', dir], { env: env() });
    expect(survey.code).toBe(1);
    expect(JSON.parse(await readFile(cache, 'utf8')).status.head.seq).toBeGreaterThan(0);
    for (const format of ['table', 'json', 'markdown', 'junit']) {
      const hit = await status(['--format', format]);
      const miss = await uncached(['--format', format]);
      expect(hit.stdout).toBe(miss.stdout);
      expect(hit.code).toBe(miss.code);
    }
  });

  it('replays the ledger when it has grown since, and when its last line is not the one cached', async () => {
    await flipgate(['survey', ...args, '--root', dir], { env: env() });
    const before = (await status(['--json'])).json;
    const approve = await flipgate(['approve', 'GAP-2', ...args, '--as', 'alice'], { env: env() });
    expect(approve.code).toBe(0);
    const after = (await status(['--json'])).json;
    expect(after.ledger.seq).toBe(before.ledger.seq + 1);
    expect(after).toEqual((await uncached(['--json'])).json);

    // Drop the last event by hand: the cached head no longer matches the ledger's last line.
    await status(['--json']);
    const ledger = path.join(dir, 'state', 'cached.events.jsonl');
    const lines = (await readFile(ledger, 'utf8')).trimEnd().split('\n');
    await writeFile(ledger, lines.slice(0, -1).join('\n') + '\n');
    expect((await status(['--json'])).json.ledger.seq).toBe(after.ledger.seq - 1);
    // A line being appended (no newline yet) is not taken for the head either.
    await status(['--json']);
    await appendFile(ledger, '{"seq":');
    expect((await status(['--json'])).json).toEqual((await uncached(['--json'])).json);
  });

  it('rebuilds when the workflow file or a variable it reads changes', async () => {
    await flipgate(['survey', ...args, '--root', dir], { env: env() });
    expect((await status(['--json'])).json.title).toBe('Cache default');
    expect((await status(['--json'], env({ SUFFIX: 'from-env' }))).json.title).toBe('Cache from-env');
    expect((await status(['--json'])).json.title).toBe('Cache default');
    await writeFile(wf, spec('Renamed ${SUFFIX}'));
    expect((await status(['--json'])).json.title).toBe('Renamed default');
  });

  it('reports a workflow that became invalid, instead of answering from the cache', async () => {
    await flipgate(['survey', ...args, '--root', dir], { env: env() });
    await status();
    await writeFile(wf, spec().replace('mode: "0640"', 'mode: 0640'));
    const r = await status();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mode/);
  });

  it('works from a damaged or missing cache, and never stores the values of other environment variables', async () => {
    await flipgate(['survey', ...args, '--root', dir], { env: env({ UNRELATED_SECRET: 'zzz-unrelated' }) });
    expect(await readFile(cache, 'utf8')).not.toContain('zzz-unrelated');
    await writeFile(cache, '{ not json');
    const r = await status(['--json']);
    expect(r.code).toBe(0);
    expect(r.json.state).toBe('G1');
  });
});

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitSchemaProblems } from '../reporters/junit-xsd.js';
import { flipgate } from '../support/cli.js';
import { buildTestFleet, fleetSpec, type TestFleet } from './fleet-hosts.js';

describe('a fleet of 20 inventory hosts with one broken, from the command line', () => {
  let fleet: TestFleet;
  let store: string;
  const at = () => ['--workflow', fleetSpec, '--inventory', fleet.inventory, '--store', store];
  const run = (args: string[]) => flipgate(args, { cwd: fleet.dir });

  beforeAll(async () => {
    fleet = await buildTestFleet(20, { brokenEnv: ['web07'] });
    store = path.join(fleet.dir, 'state', 'fleet.json');
    expect((await run(['survey', ...at(), '--as', 'alice', '--json'])).code).toBe(1);
  });
  afterAll(async () => {
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  it('holds the broken GAP back on that host alone, and closes the others on all 20', async () => {
    const r = await run(['status', ...at(), '--json']);
    const report = JSON.parse(r.stdout);
    const gap = (id: string) => report.gaps.find((g: { id: string }) => g.id === id);
    expect(report.hosts).toHaveLength(20);
    expect(gap('GAP-2').status).not.toBe('CLOSED');
    expect(gap('GAP-2').heldBy).toEqual(['web07']);
    expect(gap('GAP-2').hosts.filter((h: { status: string }) => h.status !== 'CLOSED')).toEqual([{ host: 'web07', status: 'OPEN' }]);
    for (const id of ['GAP-1', 'GAP-3']) {
      expect(gap(id).status).toBe('CLOSED');
      expect(gap(id).heldBy).toEqual([]);
    }
    expect(report.killSwitch).toMatchObject({ status: 'safe' });
    expect(report.ready).toBe(false);
  });

  it('shows a GAP × host matrix with the broken host OPEN and names it as the one holding the GAP back', async () => {
    const r = await run(['survey', ...at(), '--as', 'alice']);
    expect(r.code).toBe(1);
    const row = (host: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(`${host} `))!
        .trim()
        .split(/\s+/);
    expect(row('web07')).toEqual(['web07', 'CLOSED', 'OPEN', 'CLOSED']);
    expect(row('web08')).toEqual(['web08', 'CLOSED', 'CLOSED', 'CLOSED']);
    expect(r.stdout).toContain('GAP-2: 19/20 hosts CLOSED — held back by web07 (OPEN)');
    expect(r.stdout).toContain('env on 19 hosts ok; web07: /srv/app/.env lacks DATABASE_URL');
  });

  it('says in audit on which host GAP-2 is open and who closed it on the others', async () => {
    const r = await run(['audit', 'GAP-2', ...at(), '--json']);
    expect(r.code).toBe(0);
    const hosts = JSON.parse(r.stdout).gaps[0].hosts as {
      host: string;
      status: string;
      closedBy?: { actor: string; checks: { host: string; status: string }[] };
    }[];
    expect(hosts).toHaveLength(20);
    const web07 = hosts.find((h) => h.host === 'web07')!;
    expect(web07.status).toBe('OPEN');
    expect(web07.closedBy).toBeUndefined();
    const web01 = hosts.find((h) => h.host === 'web01')!;
    expect(web01).toMatchObject({ status: 'CLOSED', closedBy: { actor: 'alice', checks: [{ host: 'web01', status: 'pass' }] } });
    const text = await run(['audit', 'GAP-2', ...at()]);
    expect(text.stdout).toMatch(/host web07 OPEN\n\s+✗ env \(env.keys\) now: \/srv\/app\/.env lacks DATABASE_URL/);
    expect(text.stdout).toMatch(
      /19 hosts CLOSED: web01, web02, web03, web04, web05, web06, web08, .*web20\n\s+closed #\d+ .* by alice \(survey round\): UNKNOWN → CLOSED\n\s+✓ env \(env.keys\): \/srv\/app\/.env defines DATABASE_URL\n/,
    );
  });

  it('writes JUnit with one testcase per check and host, the host in its name, valid against junit-10.xsd', async () => {
    const r = await run(['status', ...at(), '--format', 'junit']);
    expect(await junitSchemaProblems({ fleet: r.stdout })).toEqual([]);
    expect(r.stdout).toContain('name="env @ web07"');
    expect(r.stdout).toMatch(/name="env @ web07"[^\n]*>\n\s+<failure/);
    expect(r.stdout).toMatch(/name="env @ web08"[^\n]*>\n\s+<system-out>/);
    expect(r.stdout).toContain('<property name="heldBy" value="web07"/>');
  });

  it('writes the matrix in Markdown', async () => {
    const r = await run(['status', ...at(), '--format', 'markdown']);
    expect(r.stdout).toContain('| Host | GAP-1 | GAP-2 | GAP-3 |');
    expect(r.stdout).toContain('| web07 | ✅ CLOSED | ❌ OPEN | ✅ CLOSED |');
  });

  it('never puts a value read from a host in any output or the ledger', async () => {
    const outputs = await Promise.all([
      run(['status', ...at(), '--json']),
      run(['audit', ...at(), '--json']),
      run(['status', ...at(), '--format', 'markdown']),
    ]);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain('s3cret-value');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(store.replace(/\.json$/, '.events.jsonl'), 'utf8')).not.toContain('s3cret-value');
  });
});

describe('a fleet GAP closed on its last host', () => {
  it('says in audit that it was closed on that host by the round that saw it fixed, and closed the GAP', async () => {
    const fleet = await buildTestFleet(3, { brokenEnv: ['web02'] });
    try {
      const store = path.join(fleet.dir, 'state', 'fleet.json');
      const run = (args: string[], as?: string) =>
        flipgate([...args, '--workflow', fleetSpec, '--inventory', fleet.inventory, '--store', store, ...(as ? ['--as', as] : [])], {
          cwd: fleet.dir,
        });
      await run(['survey'], 'alice');
      const { writeFile } = await import('node:fs/promises');
      await writeFile(path.join(fleet.roots.web02!, 'srv/app/.env'), 'DATABASE_URL=x\n');
      expect((await run(['survey'], 'bob')).code).toBe(0);
      const gap = JSON.parse((await run(['audit', 'GAP-2', '--json'])).stdout).gaps[0];
      expect(gap.closedBy).toMatchObject({ actor: 'bob', from: 'PARTIAL', to: 'CLOSED' });
      const byHost = Object.fromEntries(
        gap.hosts.map((h: { host: string; closedBy: { actor: string; from: string } }) => [h.host, [h.closedBy.actor, h.closedBy.from]]),
      );
      expect(byHost).toEqual({ web01: ['alice', 'UNKNOWN'], web02: ['bob', 'OPEN'], web03: ['alice', 'UNKNOWN'] });
    } finally {
      await rm(fleet.dir, { recursive: true, force: true });
    }
  });
});

describe('fleet scope and unreachable hosts', () => {
  let fleet: TestFleet;
  const run = (args: string[]) => flipgate(args, { cwd: fleet.dir });
  const at = (store: string) => ['--workflow', fleetSpec, '--inventory', fleet.inventory, '--store', path.join(fleet.dir, store)];

  beforeAll(async () => {
    fleet = await buildTestFleet(4, { missing: ['web04'] });
  });
  afterAll(async () => {
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  it('makes an unreachable host ERROR for every GAP and the kill switch, never skipped', async () => {
    const r = await run(['survey', ...at('a.json'), '--as', 'alice', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    for (const g of report.gaps) {
      expect(g.status).toBe('ERROR');
      expect(g.hosts.find((h: { host: string }) => h.host === 'web04').status).toBe('ERROR');
      expect(g.checks.find((c: { host: string }) => c.host === 'web04').evidence).toMatch(
        /host web04 cannot be reached: .*web04 does not exist/,
      );
    }
    expect(report.killSwitch.status).toBe('unreadable');
    expect(report.killSwitch.hosts).toMatchObject({ web01: 'safe', web04: 'unreadable' });
  });

  it('probes only the hosts --hosts names', async () => {
    const r = await run(['survey', ...at('b.json'), '--hosts', 'web01,web02', '--as', 'alice', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.hosts).toEqual(['web01', 'web02']);
    expect(report.gaps.map((g: { status: string }) => g.status)).toEqual(['CLOSED', 'CLOSED', 'CLOSED']);
    expect(r.code).toBe(0);
  });

  it('refuses a --hosts pattern that names no host, with exit 2 and the fix', async () => {
    const r = await run(['survey', ...at('c.json'), '--hosts', 'web99', '--as', 'alice']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hosts: "web99" matches no group or host');
  });

  it('refuses --hosts without --inventory, and a --forks that is not a positive whole number', async () => {
    const noInventory = await run(['survey', '--workflow', fleetSpec, '--hosts', 'web01', '--store', path.join(fleet.dir, 'd.json')]);
    expect(noInventory.code).toBe(2);
    expect(noInventory.stderr).toContain('--hosts needs an inventory');
    const forks = await run(['survey', ...at('e.json'), '--forks', '0']);
    expect(forks.code).toBe(2);
    expect(forks.stderr).toContain('--forks: expected an integer ≥ 1');
  });
});

import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { flipgate } from '../support/cli.js';
import { buildTestFleet, fleetSpec, type TestFleet } from './fleet-hosts.js';

describe('the flip and the disable across a fleet', () => {
  let fleet: TestFleet | undefined;
  afterEach(async () => {
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  async function armed(count: number, hostVars?: Record<string, string>) {
    fleet = await buildTestFleet(count, { hostVars });
    const f = fleet;
    const store = path.join(f.dir, 'state', 'fleet.json');
    const run = (args: string[]) =>
      flipgate([...args, '--workflow', fleetSpec, '--inventory', f.inventory, '--store', store], { cwd: f.dir });
    expect((await run(['advance', '--as', 'alice'])).code).toBe(0);
    expect((await run(['advance', '--as', 'alice'])).code).toBe(0);
    const switchOf = (host: string) => readFile(path.join(f.roots[host]!, 'srv/app/switch.conf'), 'utf8');
    return { f, run, store, switchOf };
  }

  it('runs each host’s own flip command on that host, records one command per host, and disables them all', async () => {
    const { f, run, store, switchOf } = await armed(3);
    const flip = await run(['flip', '--execute', '--as', 'bob', '--json']);
    expect(JSON.parse(flip.stdout).outcome).toBe('flipped');
    for (const h of f.names) expect(await switchOf(h)).toBe('enabled = true\n');
    const ledger = (await readFile(store.replace(/\.json$/, '.events.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(ledger.filter((e) => e.type === 'flip.command').map((e) => e.data.host)).toEqual(f.names);
    const off = await run(['disable', '--reason', 'drill', '--as', 'bob', '--json']);
    expect(off.code).toBe(0);
    expect(JSON.parse(off.stdout).safe).toBe(true);
    for (const h of f.names) expect(await switchOf(h)).toBe('enabled = false\n');
  });

  it('reports drift after the flip with the host where a GAP no longer holds', async () => {
    const { f, run } = await armed(3);
    expect(JSON.parse((await run(['flip', '--execute', '--as', 'bob', '--json'])).stdout).outcome).toBe('flipped');
    await rm(path.join(f.roots.web02!, 'srv/app/app.conf'));
    const watch = await run(['watch', '--once', '--as', 'bob', '--json']);
    expect(watch.code).toBe(1);
    expect(JSON.parse(watch.stdout).reopened).toContainEqual({ gap: 'GAP-1', status: 'PARTIAL', on: ['web02'] });
    expect(watch.stderr).toContain('DRIFT after the flip: GAP-1 PARTIAL on web02');
  });

  it('takes the inventory and the hosts from FLIPGATE_INVENTORY and FLIPGATE_HOSTS, so every command names the same fleet', async () => {
    fleet = await buildTestFleet(3);
    const f = fleet;
    const store = path.join(f.dir, 'state', 'fleet.json');
    const flags = await flipgate(
      [
        'advance',
        '--as',
        'alice',
        '--workflow',
        fleetSpec,
        '--inventory',
        f.inventory,
        '--hosts',
        'web01,web02',
        '--store',
        store,
        '--json',
      ],
      { cwd: f.dir },
    );
    expect(JSON.parse(flags.stdout)).toMatchObject({ from: 'G1.GAP-1', to: 'G2.GAP-3' });
    const fromEnv = await flipgate(['advance', '--as', 'alice', '--workflow', fleetSpec, '--store', store, '--json'], {
      cwd: f.dir,
      env: { ...process.env, FLIPGATE_INVENTORY: f.inventory, FLIPGATE_HOSTS: 'web01,web02' },
    });
    // The same hosts: the same anchored workflow, so the gate passed before still stands.
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ from: 'G2.GAP-3', outcome: 'armed', hosts: ['web01', 'web02'] });
  });

  it('counts a flip that fails on one host as failed, runs the disable on every host and halts', async () => {
    // web02's vars name a shell that does not exist: its flip command cannot run there.
    const { run, switchOf } = await armed(3, { web02: 'flip_shell=/nonexistent/sh' });
    const flip = await run(['flip', '--execute', '--as', 'bob', '--json']);
    const out = JSON.parse(flip.stdout);
    expect(out.outcome).toBe('failed');
    expect(out.message).toContain('failed on web02');
    expect(out.state).toBe('halted');
    for (const h of ['web01', 'web02', 'web03']) expect(await switchOf(h)).toBe('enabled = false\n');
    expect(flip.code).toBe(1);
  });
});

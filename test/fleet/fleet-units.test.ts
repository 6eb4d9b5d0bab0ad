import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFleet } from '../../src/remote/inventory/load.js';
import type { CheckRecord } from '../../src/runner/engine/events.js';
import { fleetSwitch } from '../../src/runner/engine/fleet-round.js';
import { loadFleetWorkflow } from '../../src/runner/engine/fleet-workflow.js';
import { mapBounded } from '../../src/support/bounded.js';
import { buildTestFleet, fleetSpec, type TestFleet } from './fleet-hosts.js';

describe('the workflow resolved per inventory host', () => {
  let fleet: TestFleet;
  beforeAll(async () => {
    fleet = await buildTestFleet(3, { extraLines: ['app_dir=/opt/web'] });
  });
  afterAll(async () => {
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  it('fills ${NAME} from each host’s vars, group vars over the workflow’s defaults and host vars over group vars', async () => {
    const { members } = await loadFleetWorkflow(fleetSpec, await loadFleet(fleet.inventory), {});
    const release = (i: number) => (members[i]!.wf.spec.gaps[2]!.checks[0] as { paths: string[] }).paths[0];
    expect(members.map((m) => m.name)).toEqual(['web01', 'web02', 'web03']);
    expect(release(0)).toBe('/opt/web/releases/v1.1');
    expect(release(2)).toBe('/opt/web/releases/v1.3');
  });

  it('anchors a hash that changes with the hosts in scope, so a proof on some hosts never stands for others', async () => {
    const all = await loadFleetWorkflow(fleetSpec, await loadFleet(fleet.inventory), {});
    const two = await loadFleetWorkflow(fleetSpec, await loadFleet(fleet.inventory, 'web01,web02'), {});
    const again = await loadFleetWorkflow(fleetSpec, await loadFleet(fleet.inventory), {});
    expect(two.wf.hash).not.toBe(all.wf.hash);
    expect(again.wf.hash).toBe(all.wf.hash);
  });

  it('reads the hosts and vars of a YAML inventory the same way', async () => {
    const inv = path.join(fleet.dir, 'hosts.yml');
    await writeFile(
      inv,
      [
        'all:',
        '  children:',
        '    web:',
        '      vars: { ansible_connection: local, release: v9 }',
        '      hosts:',
        `        web01: { flipgate_root: ${fleet.roots.web01} }`,
        `        web02: { flipgate_root: ${fleet.roots.web02}, release: v2 }`,
        '',
      ].join('\n'),
    );
    const { members } = await loadFleetWorkflow(fleetSpec, await loadFleet(inv, 'web'), {});
    expect(members.map((m) => [m.name, (m.wf.spec.gaps[2]!.checks[0] as { paths: string[] }).paths[0]])).toEqual([
      ['web01', '/srv/app/releases/v9'],
      ['web02', '/srv/app/releases/v2'],
    ]);
  });

  it('names the host whose vars leave a ${NAME} undefined', async () => {
    const inv = path.join(fleet.dir, 'no-release.ini');
    await writeFile(inv, `[web]\nweb01 release=v1\nweb02\n`);
    const spec = path.join(fleet.dir, 'no-default.yaml');
    await writeFile(spec, (await readFile(fleetSpec, 'utf8')).replace(/^ {2}release: .*\n/m, ''));
    await expect(loadFleetWorkflow(spec, await loadFleet(inv), {})).rejects.toThrow(
      /for inventory host web02: \$\{release\} is not defined/,
    );
  });

  it('refuses vars that would give hosts different GAP or check ids', async () => {
    const spec = path.join(fleet.dir, 'ids.yaml');
    await writeFile(spec, (await readFile(fleetSpec, 'utf8')).replace('- id: env\n', '- id: env-${inventory_hostname}\n'));
    await expect(loadFleetWorkflow(spec, await loadFleet(fleet.inventory), {})).rejects.toThrow(
      /inventory host web02 resolves the workflow to other gates, GAPs or check ids than host web01/,
    );
  });
});

describe('probing hosts a bounded number at once', () => {
  it('never runs more than the limit at once, and keeps the results in input order', async () => {
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 25 }, (_, i) => i);
    const out = await mapBounded(items, 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return i * 2;
    });
    expect(most).toBe(4);
    expect(out).toEqual(items.map((i) => i * 2));
  });
});

describe("the fleet's kill switch", () => {
  const check = (evidence: string) => ({ evidence }) as CheckRecord;
  const words = { safe: 'safe', enabled: 'ENABLED', unreadable: 'cannot be read' };

  it('reads safe only when every host reads safe', () => {
    const sw = fleetSwitch(
      [
        { host: 'a', reading: 'safe', check: check('off') },
        { host: 'b', reading: 'safe', check: check('off') },
      ],
      words,
    );
    expect(sw.status).toBe('safe');
    expect(sw.hosts).toEqual({ a: 'safe', b: 'safe' });
  });

  it('cannot be read when the hosts disagree, and names the hosts that differ', () => {
    const sw = fleetSwitch(
      [
        { host: 'a', reading: 'safe', check: check('off') },
        { host: 'b', reading: 'enabled', check: check('on') },
      ],
      words,
    );
    expect(sw.status).toBe('unreadable');
    expect(sw.evidence).toContain('the hosts disagree (b ENABLED)');
  });

  it('reads enabled only when every host reads enabled', () => {
    expect(
      fleetSwitch(
        [
          { host: 'a', reading: 'enabled', check: check('on') },
          { host: 'b', reading: 'unreadable', check: check('?') },
        ],
        words,
      ).status,
    ).toBe('unreadable');
    expect(
      fleetSwitch(
        [
          { host: 'a', reading: 'enabled', check: check('on') },
          { host: 'b', reading: 'enabled', check: check('on') },
        ],
        words,
      ).status,
    ).toBe('enabled');
  });
});

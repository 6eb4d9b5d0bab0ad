import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagram } from '../../src/diagram/index.js';
import { loadFleet } from '../../src/remote/inventory/load.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import { openFleet } from '../../src/runner/engine/fleet.js';
import { loadFleetWorkflow } from '../../src/runner/engine/fleet-workflow.js';
import { openSession, type Session } from '../../src/runner/engine/session.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { FileStore } from '../../src/store/file-store.js';
import { buildTestFleet, fleetSpec, type TestFleet } from './fleet-hosts.js';

describe('the diagram and the dashboard of a fleet with one broken host', () => {
  let fleet: TestFleet;
  let session: Session;
  let dashboard: Dashboard;

  beforeAll(async () => {
    fleet = await buildTestFleet(4, { brokenEnv: ['web03'] });
    const { wf, members } = await loadFleetWorkflow(fleetSpec, await loadFleet(fleet.inventory), {});
    session = openSession({
      workflow: wf,
      store: new FileStore(path.join(fleet.dir, 'state/fleet.json'), wf.spec.id),
      fleet: await openFleet(members),
      actor: 'dash',
      env: {},
    });
    await runSurvey(session);
    dashboard = await startDashboard({ session, port: 0 });
  });
  afterAll(async () => {
    await dashboard?.close();
    await session?.close();
    if (fleet) await rm(fleet.dir, { recursive: true, force: true });
  });

  it('labels each GAP node with how many hosts have it CLOSED and the hosts that hold it back', async () => {
    const mermaid = await renderDiagram(session.wf.spec, { format: 'mermaid', source: 'fleet.yaml', status: await readStatus(session) });
    expect(mermaid).toContain('<b>PARTIAL · 3/4 hosts (held: web03)</b>');
    expect(mermaid).toContain('<b>CLOSED · 4/4 hosts</b>');
  });

  it('shows a badge per host on each GAP card, and the failing check with its host', async () => {
    const html = await (await fetch(dashboard.url)).text();
    const card = /<article[^>]*data-gap="GAP-2"[\s\S]*?<\/article>/.exec(html)![0];
    expect(card).toContain('3/4 hosts CLOSED — held back by web03 (OPEN)');
    expect(card).toMatch(/<li class="badge tone-OPEN" data-host="web03" data-status="OPEN">web03 OPEN<\/li>/);
    expect(card).toMatch(/data-host="web03"><span class="mark tone-OPEN"[^>]*>✗<\/span> <strong>env<\/strong> @ web03/);
    expect(card).not.toMatch(/<strong>env<\/strong> @ web01/);
  });
});

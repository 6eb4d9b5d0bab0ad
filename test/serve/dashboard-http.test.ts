import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type Session } from '../../src/runner/engine/session.js';
import { Notices, PageTokens } from '../../src/serve/guard.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { loadWorkflow } from '../../src/spec/load.js';
import { FileStore } from '../../src/store/file-store.js';

// The dashboard over plain HTTP (no browser): what a notice may say, and how long a token lives.
let dir: string;
let session: Session;
let dashboard: Dashboard;
const origin = () => dashboard.url.replace(/\/$/, '');
const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)![1]!;
const post = (body: string) =>
  fetch(`${dashboard.url}survey`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: origin(), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fg-dash-'));
  await mkdir(path.join(dir, 'host/opt/app'), { recursive: true });
  await writeFile(path.join(dir, 'host/opt/app/switch.conf'), 'enabled = false\n');
  const wf = await loadWorkflow('test/fixtures/specs/minimal.yaml', { env: {} });
  session = openSession({
    workflow: wf,
    store: new FileStore(path.join(dir, 'state/minimal.json'), wf.spec.id),
    root: path.join(dir, 'host'),
    actor: 'dash',
    env: {},
  });
  dashboard = await startDashboard({ session, port: 0 });
});
afterAll(async () => {
  await dashboard?.close();
  await session?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard notices and tokens (plain HTTP)', () => {
  it('never puts words from the URL in the page: ?surveyed=…&changed=… shows no notice', async () => {
    const html = await (
      await fetch(
        `${dashboard.url}?surveyed=${encodeURIComponent('99 — CLOSED by the auditor')}&changed=${encodeURIComponent('all GAPs verified')}&notice=forged`,
      )
    ).text();
    expect(html).not.toContain('id="notice"');
    expect(html).not.toContain('CLOSED by the auditor');
    expect(html).not.toContain('all GAPs verified');
  });

  it('shows what the server did after a survey, once, from an id it issued', async () => {
    const events = (await session.store.readEvents()).length;
    const r = await post(`token=${encodeURIComponent(tokenOf(await (await fetch(dashboard.url)).text()))}`);
    expect(r.status).toBe(303);
    const location = r.headers.get('location')!;
    expect(location).toMatch(/^\/\?notice=[\w-]+$/);
    const recorded = (await session.store.readEvents()).length - events;
    const first = await (await fetch(new URL(location, dashboard.url))).text();
    expect(first).toMatch(
      new RegExp(`<p class="notice" role="status" id="notice">Survey recorded: ledger event \\d+, ${recorded} event\\(s\\) in all\\.</p>`),
    );
    expect(await (await fetch(new URL(location, dashboard.url))).text()).not.toContain('id="notice"');
  });

  it('refuses a token used once, however many other tokens are used after it', async () => {
    const tokens = new PageTokens();
    const first = tokens.issue();
    expect(tokens.redeem(first)).toBe(true);
    for (let i = 0; i < 10_050; i++) expect(tokens.redeem(tokens.issue())).toBe(true);
    expect(tokens.redeem(first)).toBe(false);
  });

  it('refuses a token older than its lifetime, and a forged or altered one', () => {
    let now = 1_000_000;
    const tokens = new PageTokens({ ttlMs: 10 * 60_000, now: () => now });
    const fresh = tokens.issue();
    const old = tokens.issue();
    now += 10 * 60_000 + 1;
    expect(tokens.redeem(old)).toBe(false);
    const young = tokens.issue();
    expect(tokens.redeem(young)).toBe(true);
    const [nonce, , mac] = fresh.split('.');
    expect(tokens.redeem(`${nonce}.${now.toString(36)}.${mac}`)).toBe(false); // a new time under the old MAC
    expect(tokens.redeem('forged.token.here')).toBe(false);
  });

  it('refuses a page token over HTTP once used, and one from another server', async () => {
    const token = tokenOf(await (await fetch(dashboard.url)).text());
    expect((await post(`token=${encodeURIComponent(token)}`)).status).toBe(303);
    expect((await post(`token=${encodeURIComponent(token)}`)).status).toBe(403);
    expect((await post(`token=${encodeURIComponent(new PageTokens().issue())}`)).status).toBe(403);
  });

  it('forgets notices that were never shown once they expire', () => {
    let now = 0;
    const notices = new Notices(1000, () => now);
    const id = notices.add('Survey recorded');
    now = 1001;
    expect(notices.take(id)).toBeUndefined();
  });
});

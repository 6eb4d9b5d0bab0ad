import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gapStatusText } from '../../src/reporters/words.js';
import { approveGap } from '../../src/runner/actions/signoffs.js';
import { readStatus, runSurvey } from '../../src/runner/actions/survey-advance.js';
import type { Session } from '../../src/runner/engine/session.js';
import { type Dashboard, startDashboard } from '../../src/serve/server.js';
import { type SeedFixture, seedSection6, setupSeedHost } from '../support/seed.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const title = haveChromium
  ? 'the dashboard in a real browser (Debian Chromium, headless)'
  : `the dashboard in a real browser — SKIPPED: ${CHROMIUM} is not installed (apt-get install chromium)`;

/** A GET with the Host header as given (fetch always sends the URL's own). */
const getWithHost = (url: string, host: string) =>
  new Promise<number>((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

describe.skipIf(!haveChromium)(title, () => {
  let fx: SeedFixture;
  let session: Session;
  let dashboard: Dashboard;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;

  const board = async (p: Page) =>
    Object.fromEntries(
      await p
        .locator('[data-gap]')
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-gap'), e.querySelector('[data-role=status]')?.textContent ?? ''])),
    );
  const ledgerLength = async () => (await session.store.readEvents()).length;

  beforeAll(async () => {
    fx = await setupSeedHost();
    session = fx.session('dashboard-operator');
    await runSurvey(session);
    dashboard = await startDashboard({ session, port: 0 });
    profile = await mkdtemp(path.join(tmpdir(), 'flipgate-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 1000 },
    });
    page = await browser.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await fx?.cleanup();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 by default, on the free port it was given', () => {
    expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/`);
    expect(dashboard.port).toBeGreaterThan(0);
  });

  it('shows every GAP of O8 with its status, as the seed’s section 6 has it, and the coloured diagram', async () => {
    await page.goto(dashboard.url);
    const shown = await board(page);
    expect(Object.keys(shown).sort()).toEqual(fx.wf.spec.gaps.map((g) => g.id).sort());
    expect(shown).toEqual(seedSection6);
    const report = await readStatus(session);
    for (const g of report.gaps) expect(shown[g.id], g.id).toBe(gapStatusText(g));
    await expect.poll(() => page.locator('#diagram svg').isVisible()).toBe(true);
    for (const g of fx.wf.spec.gaps)
      expect(await page.locator(`#diagram svg g.node.gap:has-text("${g.id}")`).count(), g.id).toBeGreaterThan(0);
    expect(await page.locator('#diagram svg g.node.current').count()).toBe(1);
    // Evidence is on the board, beside each check.
    expect(await page.locator('[data-gap="GAP-3"] [data-check="fpr-configured"]').textContent()).toContain('lacks BACKUP_GPG_FPR');
  });

  it('loads nothing from another host: every request the page makes stays on the dashboard', async () => {
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(dashboard.url);
    await page.waitForLoadState('networkidle');
    page.removeAllListeners('request');
    expect(requested.length).toBeGreaterThan(0);
    for (const u of requested) expect(u.startsWith(dashboard.url) || u.startsWith('data:')).toBe(true);
  });

  it('updates the board when “survey now” is pressed after a GAP was provisioned, and saves a screenshot', async () => {
    await page.goto(dashboard.url);
    expect((await board(page))['GAP-3']).toBe('OPEN');
    const before = await ledgerLength();
    // Between the page load and the click, the operator provisions the backup key.
    await fx.host.provision('GAP-3');
    await Promise.all([page.waitForURL(/\?notice=/), page.click('#survey-now')]);
    const after = await board(page);
    expect(after['GAP-3']).toBe('CLOSED');
    expect({ ...after, 'GAP-3': 'OPEN' }).toEqual(seedSection6);
    expect(await page.locator('#notice').textContent()).toMatch(/Survey recorded: ledger event \d+/);
    expect(await ledgerLength()).toBeGreaterThan(before);
    const newest = page.locator('#ledger tbody tr').first();
    expect(await newest.getAttribute('data-actor')).toBe('dashboard-operator');
    expect(await page.locator('#ledger tbody tr[data-type="gap.status"]', { hasText: 'GAP-3: OPEN → CLOSED' }).count()).toBe(1);
    expect(await page.locator('[data-gap="GAP-3"] [data-check="backup-key"]').getAttribute('data-status')).toBe('pass');
    await mkdir('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
  });

  it('filters the ledger timeline by GAP and by actor', async () => {
    await approveGap(fx.session('dq4-board'), 'GAP-4', 'DQ_4: cutter_exec writes review_decision');
    await page.goto(dashboard.url);
    const all = await page.locator('#ledger tbody tr').count();

    await page.selectOption('select[name=actor]', 'dq4-board');
    await Promise.all([page.waitForURL(/actor=dq4-board/), page.click('form.filter button')]);
    const byActor = await page
      .locator('#ledger tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-actor'), r.getAttribute('data-type')]));
    expect(byActor).toEqual([['dq4-board', 'approval.granted']]);

    await page.goto(`${dashboard.url}?gap=GAP-3`);
    expect(await page.locator('select[name=gap]').inputValue()).toBe('GAP-3');
    const byGap = await page.locator('#ledger tbody tr td:nth-child(5)').allTextContents();
    expect(byGap.length).toBeGreaterThan(0);
    expect(byGap.length).toBeLessThan(all);
    for (const text of byGap) expect(text).toContain('GAP-3');
    expect(byGap).toContain('GAP-3: OPEN → CLOSED');
  });

  it('refuses a survey POST from another site’s page, even with a valid token, and changes nothing', async () => {
    await page.goto(dashboard.url);
    const token = await page.locator('input[name=token]').inputValue();
    const before = await ledgerLength();
    // Another origin on the same machine (a different port) serves a page that posts to the dashboard.
    const evil: Server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form id="f" method="post" action="${dashboard.url}survey"><input name="token" value="${token}"></form><script>document.getElementById('f').submit()</script>`,
      );
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const other = await browser.newPage();
      const answer = other.waitForResponse((r) => r.url() === `${dashboard.url}survey`);
      await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      expect((await answer).status()).toBe(403);
      expect(await other.textContent('body')).toMatch(/Origin http:\/\/127\.0\.0\.1:\d+ is not http:\/\/127\.0\.0\.1:\d+/);
      await other.close();
    } finally {
      evil.close();
    }
    expect(await ledgerLength()).toBe(before);
  });

  it('refuses a survey POST with a bad, missing or reused token, or for another Host, and changes nothing', async () => {
    const origin = dashboard.url.replace(/\/$/, '');
    const post = (body: string, extra: Record<string, string> = {}) =>
      fetch(`${dashboard.url}survey`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded', ...extra },
        body,
      });
    await page.goto(dashboard.url);
    const token = await page.locator('input[name=token]').inputValue();
    const before = await ledgerLength();
    expect((await post('token=forged.token')).status).toBe(403);
    expect((await post('')).status).toBe(403);
    expect((await post(`token=${encodeURIComponent(token)}x`)).status).toBe(403);
    expect((await post(`token=${encodeURIComponent(token)}`, { origin: 'null' })).status).toBe(403);
    expect(await ledgerLength()).toBe(before);
    // The genuine token works once from the dashboard's own origin, then is spent.
    expect((await post(`token=${encodeURIComponent(token)}`)).status).toBe(303);
    const once = await ledgerLength();
    expect(once).toBeGreaterThan(before);
    expect((await post(`token=${encodeURIComponent(token)}`)).status).toBe(403);
    // A name other than the dashboard's own (DNS rebinding) gets no page at all.
    expect(await getWithHost(dashboard.url, `attacker.example:${dashboard.port}`)).toBe(421);
    expect(await getWithHost(dashboard.url, `localhost:${dashboard.port}`)).toBe(200);
    expect(await ledgerLength()).toBe(once);
  });

  it('changes nothing on any other request: other methods and paths are refused', async () => {
    const before = await ledgerLength();
    for (const method of ['PUT', 'DELETE', 'PATCH']) expect((await fetch(dashboard.url, { method })).status, method).toBe(405);
    expect((await fetch(`${dashboard.url}survey`)).status).toBe(405);
    expect((await fetch(`${dashboard.url}advance`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${dashboard.url}nothing-here`)).status).toBe(404);
    const css = await fetch(`${dashboard.url}assets/dashboard.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    const home = await fetch(dashboard.url);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await ledgerLength()).toBe(before);
  });

  it('never shows a secret planted in the host’s files or database', async () => {
    await page.goto(dashboard.url);
    expect(await page.content()).not.toContain(fx.host.secret);
  });
});

import type { MachineList } from '@devfleet/wire';
import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import { getJson, startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { enroll, macReport, sendReport, timedBuild } from './fleet-fixtures.js';

// The palette of web/src/app.css in the light scheme, as getComputedStyle reports it.
const colors = {
  ok: 'rgb(23, 102, 62)',
  warn: 'rgb(138, 83, 0)',
  bad: 'rgb(164, 37, 27)',
};

// What a team lead sees on a server that has just started: the login page, the live feed's
// state, and a fleet without data yet.
describe.skipIf(!chromiumAvailable())('dashboard on a fresh server', () => {
  let server: ServerProcess;
  let close: () => Promise<void>;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
    const launched = await launchBrowser();
    close = launched.close;
    page = await launched.browser.newPage({
      viewport: { width: 1440, height: 900 },
      colorScheme: 'light',
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  /** The indicator's state and the colour it is drawn in, read together. */
  const indicator = () =>
    page
      .locator('[data-live]')
      .evaluate((el) => `${el.getAttribute('data-live')} ${getComputedStyle(el).color}`);

  it('shows the login form without navigation and without a console error', async () => {
    await page.goto(server.url);
    await page.locator('[data-page=login] input[name=username]').waitFor();

    expect(await page.locator('header nav').count()).toBe(0);
    expect(await page.locator('[data-live]').count()).toBe(0);
    expect(await page.locator('header').innerText()).not.toContain('Alerts');
    await page.screenshot({ path: screenshotPath('first-run-login-1440') });

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: screenshotPath('first-run-login-390') });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(consoleErrors).toEqual([]);
  });

  it('colours the live indicator by state: connecting, live, offline', async () => {
    // The first connection waits for the test, then reaches the server; later ones are
    // refused, as by a server that went away.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/api\/v1\/live$/, async (ws) => {
      if (first) {
        await ws.close();
        return;
      }
      first = ws;
      await gate;
      ws.connectToServer();
    });

    await signIn(page, server.url);
    await expect.poll(indicator).toBe(`connecting ${colors.warn}`);
    expect(await page.locator('[data-live]').innerText()).toBe('Connecting…');

    release();
    await expect.poll(indicator).toBe(`live ${colors.ok}`);

    await first?.close();
    await expect.poll(indicator).toBe(`offline ${colors.bad}`);
    expect(await page.locator('[data-live]').innerText()).toBe('Reconnecting…');
    await page.unrouteAll();
  });

  it('says what is missing and how to get it when a machine has little or no data', async () => {
    const day = 24 * 3600 * 1000;
    const newKey = await enroll(server.url, 'new-mac', 'dev50');
    for (let ago = 3; ago >= 0; ago -= 1) {
      const at = new Date(Date.now() - ago * day - 3600_000);
      const build = timedBuild('web-shop', at, 120_000 + ago * 1000);
      await sendReport(server.url, newKey, macReport('new-mac', 'dev50', at, [build]));
    }
    const bareKey = await enroll(server.url, 'bare-mac', 'dev51');
    await sendReport(server.url, bareKey, macReport('bare-mac', 'dev51', new Date()));
    const { machines } = await getJson<MachineList>(server.url, '/api/v1/machines');
    const id = (host: string) => machines.find((m) => m.hostname === host)?.id ?? '';

    // No machine runs Docker Desktop: the rollout chart says so instead of staying blank.
    await page.goto(server.url);
    const rollout = page.locator('[data-chart=rollout]');
    await rollout.waitFor();
    expect(await rollout.getAttribute('data-state')).toBe('empty');
    expect(await rollout.innerText()).toMatch(
      /^No machine reported a Docker Desktop version in the last \d+ days/,
    );
    await page.screenshot({ path: screenshotPath('first-run-fleet-1440'), fullPage: true });

    await page.goto(`${server.url}/#/machines/${id('bare-mac')}`);
    const none = page.locator('[data-state=empty]', { hasText: 'No benchmark or build' });
    await none.waitFor();
    const hint = await none.innerText();
    expect(hint).toContain('devfleet-agent report --bench');
    expect(hint).toContain('devfleet-agent time -- ');
    expect(await page.locator('summary', { hasText: 'Export a series' }).count()).toBe(0);

    // Four days of builds in a 90-day view: the chart starts at the data, not 90 days back.
    await page.goto(`${server.url}/#/machines/${id('new-mac')}`);
    const chart = page.locator('[data-chart="build:web-shop"][data-state=ready]');
    await chart.waitFor();
    const from = Date.parse((await chart.getAttribute('data-from')) ?? '');
    expect(Date.now() - from).toBeGreaterThan(3 * day);
    expect(Date.now() - from).toBeLessThan(5 * day);
    expect(await page.locator('[data-state=short-history]').innerText()).toMatch(/^Data since /);

    // Four reports of one environment: the last report is the latest, and nothing changed.
    const lastReport = page.locator('[data-field=lastCollectedAt] dd');
    const sent = machines.find((m) => m.hostname === 'new-mac')?.environment?.lastCollectedAt;
    const latest = await lastReport.evaluate(
      (_, at) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
          new Date(at ?? ''),
        ),
      sent,
    );
    expect(await lastReport.innerText()).toBe(latest);
    const changes = page.locator('[data-state=empty]', { hasText: 'No changes recorded' });
    expect(await changes.innerText()).toMatch(
      /^No changes recorded since the first report, \w{3} /,
    );
    await page.screenshot({ path: screenshotPath('first-run-machine-1440'), fullPage: true });
  });

  it('signs out to the login form, again without a console error', async () => {
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.locator('[data-page=login]').waitFor();
    await page.reload();
    await page.locator('[data-page=login] input[name=username]').waitFor();

    expect(await page.locator('header nav').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});

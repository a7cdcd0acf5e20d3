import type { AlertList, FleetOverview } from '@devfleet/wire';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadDemo } from '../../scripts/demo.js';
import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import {
  ADMIN_PASSWORD,
  ENROLL_SECRET,
  startServerProcess,
  type ServerProcess,
} from '../helpers/processes.js';

// The demo fleet through the real server bin and its HTTP API, then the dashboard in Chromium.
describe.skipIf(!chromiumAvailable())('dashboard with the demo fleet', () => {
  let server: ServerProcess;
  let fleet: FleetOverview;
  let close: () => Promise<void>;
  let page: Page;

  beforeAll(async () => {
    server = await startServerProcess();
    await loadDemo({
      server: server.url,
      enrollSecret: ENROLL_SECRET,
      login: { username: 'admin', password: ADMIN_PASSWORD },
      log: () => {},
    });

    const launched = await launchBrowser();
    close = launched.close;
    page = await launched.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, server.url);
    fleet = (await (await page.request.get(`${server.url}/api/v1/fleet`)).json()) as FleetOverview;
  }, 300_000);

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  const row = (host: string) => page.locator(`[data-table=health] tr[data-hostname="${host}"]`);
  const reason = (host: string, rule: string) => row(host).locator(`li[data-rule=${rule}]`);

  it('shows the status counts and each unhealthy machine with its reason', async () => {
    await page.goto(server.url);
    await page.locator('[data-table=health]').waitFor();

    expect(fleet.counts.machines).toBe(30);
    for (const key of ['machines', 'red', 'amber', 'green'] as const) {
      const tile = page.locator(`[data-count=${key}] .value`);
      expect(await tile.textContent()).toBe(String(fleet.counts[key]));
    }
    expect(await page.locator('[data-table=health] tbody tr').count()).toBe(30);

    expect(await row('dev20-buildbox').getAttribute('data-status')).toBe('red');
    expect(await reason('dev20-buildbox', 'desktopMinimum').textContent()).toContain(
      'older than the team minimum',
    );
    expect(await row('dev18-laptop').getAttribute('data-status')).toBe('red');
    expect(await reason('dev18-laptop', 'daemon').textContent()).toContain('unreachable');
    expect(await reason('dev19-laptop', 'stale').textContent()).toContain('No report for');
    expect(await reason('dev17-laptop', 'projectLocation').textContent()).toMatch(
      /\/mnt\/c.*slower than in a volume/,
    );
    expect(await reason('dev13-laptop', 'memory').textContent()).toContain('only 3 GiB');
    expect(await reason('dev21-laptop', 'wslIntegration').textContent()).toContain('Ubuntu-22.04');
    const regression = reason('dev01-laptop', 'openRegression');
    expect(await regression.textContent()).toContain('4.37.1: Reference build: cold / mount');
    expect(await regression.locator('[data-series]').first().getAttribute('title')).toBe(
      'bench.build.mount.cold',
    );
    expect(await row('dev14-laptop').getAttribute('data-status')).toBe('green');

    await page.locator('[data-chart=rollout][data-state=ready]').waitFor();
    await page.screenshot({ path: screenshotPath('dashboard-fleet-1440'), fullPage: true });
  });

  it('filters by status, OS, version and developer', async () => {
    await page.goto(server.url);
    const rows = page.locator('[data-table=health] tbody tr');
    await rows.first().waitFor();

    await page.locator('[data-filter=status]').selectOption('red');
    await expect.poll(() => rows.count()).toBe(fleet.counts.red);
    expect(page.url()).toContain('status=red');

    await page.locator('[data-filter=status]').selectOption('');
    await page.locator('[data-filter=os]').selectOption('macOS');
    await expect.poll(() => rows.count()).toBe(5);

    await page.locator('[data-filter=os]').selectOption('');
    await page.locator('[data-filter=version]').selectOption('4.28.0');
    await expect.poll(() => rows.count()).toBe(1);

    await page.locator('[data-filter=version]').selectOption('');
    await page.locator('[data-filter=user]').selectOption('dev01');
    await expect.poll(() => rows.count()).toBe(2);
  });

  it('counts a machine whose daemon is down by its last known version, as the inventory does', async () => {
    // "Last report" must be the latest report of an unchanged environment, as the server says.
    const fleet = await page.request.get(`${server.url}/api/v1/fleet`);
    const body = (await fleet.json()) as FleetOverview;
    const lastCollected = new Map<string, string>();
    for (const row of body.machines) {
      if (row.environment) lastCollected.set(row.hostname, row.environment.lastCollectedAt);
    }

    await page.goto('about:blank');
    await page.goto(server.url);
    const rows = page.locator('[data-table=health] tbody tr');
    await rows.first().waitFor();
    const inventory = page.locator(
      '[data-version-field=desktopVersion] li[data-version="4.37.1"] .count',
    );
    await inventory.waitFor();

    const desktop = row('dev18-laptop').locator('[data-column=desktop]');
    expect(await desktop.innerText()).toMatch(/^4\.37\.1\s+last known$/);
    expect(await desktop.locator('[data-last-known]').getAttribute('title')).toContain(
      'could not tell',
    );
    expect(await row('dev01-laptop').locator('[data-last-known]').count()).toBe(0);

    // "Last report" is the latest report, not the first one of an unchanged environment.
    const seen = row('dev19-laptop').locator('[data-column=lastSeen] time');
    expect(await seen.getAttribute('datetime')).toBe(lastCollected.get('dev19-laptop'));

    await page.locator('[data-filter=version]').selectOption('4.37.1');
    await expect.poll(() => rows.count()).toBe(Number(await inventory.innerText()));
    expect(await row('dev18-laptop').count()).toBe(1);

    // Its page says the same, with until when the version was seen.
    await row('dev18-laptop').locator('[data-column=host] a.host').click();
    const field = page.locator('[data-section=environment] [data-field=desktopVersion] dd');
    await field.waitFor();
    expect(await field.innerText()).toMatch(/^4\.37\.1 last known, until \w{3} \d{1,2}, \d{4}/);
  });

  /**
   * The change-marker labels of every chart on the page, as drawn: their texts, whether any two
   * overlap, whether one leaves its chart, and how far each sits from its line.
   */
  const markerLabels = () =>
    page.locator('[data-section=trends] figure').evaluateAll((figures) =>
      figures.map((figure) => {
        const box = figure.getBoundingClientRect();
        const band = figure.querySelector('[data-section=marker-labels]')?.getBoundingClientRect();
        const labels = Array.from(figure.querySelectorAll<HTMLElement>('[data-marker-label]')).map(
          (el) => ({ el, rect: el.getBoundingClientRect(), line: Number(el.dataset.lineX) }),
        );
        const overlap = labels.some((a, i) =>
          labels.slice(i + 1).some(({ rect: b }) => {
            const r = a.rect;
            return r.left < b.right && b.left < r.right && r.top < b.bottom && b.top < r.bottom;
          }),
        );
        return {
          markers: Number(figure.getAttribute('data-markers')),
          texts: labels.map((l) => l.el.textContent ?? ''),
          overlap,
          outside: labels.some((l) => l.rect.left < box.left || l.rect.right > box.right),
          // A flag starts or ends at its line.
          farthest: Math.max(
            0,
            ...labels.map(({ rect, line }) => {
              const x = (band?.left ?? 0) + line;
              return Math.min(Math.abs(rect.left - x), Math.abs(rect.right - x));
            }),
          ),
        };
      }),
    );

  it('draws a machine’s trend charts with its change markers', async () => {
    const id = fleet.machines.find((m) => m.hostname === 'dev01-laptop')?.id ?? '';
    await page.goto(`${server.url}/#/machines/${id}`);

    const charts = page.locator('[data-section=trends] [data-chart]');
    await page.locator('[data-chart="build:payments-api"][data-state=ready]').waitFor();
    expect(await charts.count()).toBeGreaterThanOrEqual(6);
    expect(Number(await charts.first().getAttribute('data-markers'))).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-section=markers]').textContent()).toContain(
      'Docker Desktop 4.36.0 → 4.37.1',
    );
    expect(await page.locator('[data-rule=openRegression]').getAttribute('data-result')).toBe(
      'fail',
    );

    // Beside their lines, apart, inside the chart, in full words on a wide screen.
    await expect.poll(async () => (await markerLabels())[0]?.texts.length).toBeGreaterThan(0);
    for (const chart of await markerLabels()) {
      expect(chart.texts).toHaveLength(chart.markers);
      expect(chart).toMatchObject({ overlap: false, outside: false });
      expect(chart.farthest).toBeLessThanOrEqual(3);
      expect(chart.texts).toContain('Docker Desktop 4.36.0 → 4.37.1');
    }
    await page.locator('[data-marker-label]').first().hover();
    const tip = await page.locator('[data-marker-tip]').innerText();
    expect(tip).toMatch(
      /^\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M · WSL 2\.3\.24\.0 → 2\.3\.26\.0 \(also /,
    );
    await page.screenshot({ path: screenshotPath('dashboard-machine-1440'), fullPage: true });

    // The list under the charts writes dates as the rest of the dashboard does.
    const times = page.locator('[data-section=markers] time');
    for (const time of await times.all()) {
      const expected = await time.evaluate((el) =>
        new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(
          new Date(el.getAttribute('datetime') ?? ''),
        ),
      );
      expect(await time.innerText()).toBe(expected);
    }

    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(async () => (await markerLabels())[0]?.texts).toContain('Desktop 4.37.1');
    for (const chart of await markerLabels()) {
      expect(chart).toMatchObject({ overlap: false, outside: false });
      expect(chart.farthest).toBeLessThanOrEqual(3);
      expect(chart.texts.every((t) => !t.includes('→'))).toBe(true);
    }
    await page.screenshot({ path: screenshotPath('dashboard-machine-markers-390') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // Several machines in one chart: each label says which one changed.
    await page.goto(`${server.url}/#/developers/dev01`);
    await page.locator('[data-page=developer] [data-chart][data-state=ready]').first().waitFor();
    await expect.poll(async () => (await markerLabels())[0]?.texts.length).toBeGreaterThan(0);
    const [builds] = await markerLabels();
    expect(builds?.overlap).toBe(false);
    for (const text of builds?.texts ?? []) expect(text).toMatch(/^dev01-(laptop|desktop): /);
    const list = await page.locator('[data-section=markers] li').allInnerTexts();
    expect(list.every((item) => /dev01-(laptop|desktop): /.test(item))).toBe(true);
    await page.screenshot({ path: screenshotPath('dashboard-developer-1440'), fullPage: true });
  });

  it('lists the regressing release’s fleet alert and acknowledges it', async () => {
    await page.goto(`${server.url}/#/alerts`);
    const alert = page
      .locator('[data-alert-status=open]')
      .filter({ hasText: 'Docker Desktop 4.36.0 → 4.37.1: Reference build: cold / mount' });
    await alert.waitFor();
    // The chart's name for the series everywhere, the key one hover or one glance away.
    expect(await alert.locator('[data-field=title] [data-series]').getAttribute('title')).toBe(
      'bench.build.mount.cold',
    );
    expect(await alert.locator('[data-field=series]').innerText()).toBe(
      'Series Reference build: cold / mount bench.build.mount.cold',
    );
    expect(await alert.locator('[data-chart=evidence] figcaption').innerText()).toBe(
      'Evidence: Reference build: cold / mount',
    );
    expect(await alert.locator('[data-link=machine]').count()).toBeGreaterThanOrEqual(6);
    await alert.locator('[data-chart=evidence][data-state=ready]').waitFor();
    await page.screenshot({ path: screenshotPath('dashboard-alerts-1440') });

    // Movers before and after their own update, and the machines that stayed as a yardstick.
    const evidence = alert.locator('[data-chart=evidence] canvas');
    expect(await evidence.getAttribute('aria-label')).toContain(
      'before their update; after their update; machines that did not update (control);',
    );
    expect(await alert.locator('[data-field=evidence-note]').innerText()).toMatch(
      /^Filled dots: the 17 machines that updated, each split at its own update \(between /,
    );

    const id = await alert.getAttribute('data-alert-id');
    await alert.locator('[data-action=acknowledge]').click();
    await page.locator('[data-tab=acknowledged]').click();
    const acknowledged = page.locator(`[data-alert-id="${id}"][data-alert-status=acknowledged]`);
    await acknowledged.waitFor();

    // When, as the API recorded it, in the dashboard's date format.
    const res = await page.request.get(`${server.url}/api/v1/alerts`);
    const { alerts } = (await res.json()) as AlertList;
    const at = alerts.find((a) => a.id === id)?.acknowledgedAt ?? '';
    const when = acknowledged.locator('[data-field=acknowledged-at]');
    expect(await when.locator('time').getAttribute('datetime')).toBe(at);
    expect(await when.innerText()).toMatch(
      /^acknowledged \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M \(just now\)$/,
    );
    await page.screenshot({ path: screenshotPath('dashboard-alerts-acknowledged-1440') });
  });

  it('shows a report sent while the page is open without a reload', async () => {
    await page.goto(server.url);
    await page.locator('[data-table=health]').waitFor();
    await page.locator('[data-live=live]').waitFor();

    const enrolled = await fetch(`${server.url}/api/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: ENROLL_SECRET, hostname: 'new-laptop', user: 'dev29' }),
    });
    const { machineKey } = (await enrolled.json()) as { machineKey: string };
    const report = {
      schemaVersion: 1,
      reportId: 'live-report-0001',
      collectedAt: new Date().toISOString(),
      agentVersion: '0.1.0',
      host: {
        hostname: 'new-laptop',
        platform: 'darwin',
        osName: 'macOS 15.1',
        release: '24.1.0',
        arch: 'arm64',
        cpus: 10,
        memoryBytes: 32 * 1024 ** 3,
        user: 'dev29',
        wsl: null,
      },
      docker: {
        daemon: { state: 'unreachable', error: 'Cannot connect to the Docker daemon' },
        client: null,
        server: null,
        desktop: null,
        engine: null,
        plugins: [],
        warnings: [],
      },
      wsl: null,
      desktopSettings: null,
      problems: [],
    };
    const sent = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${machineKey}` },
      body: JSON.stringify(report),
    });
    expect(sent.status).toBe(201);

    const added = row('new-laptop');
    await added.waitFor({ timeout: 10_000 });
    expect(await added.getAttribute('data-status')).toBe('red');
    expect(await page.locator('[data-count=machines] .value').textContent()).toBe('31');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('dashboard-fleet-390'), fullPage: true });
    const id = fleet.machines.find((m) => m.hostname === 'dev17-laptop')?.id ?? '';
    await page.goto(`${server.url}/#/machines/${id}`);
    await page.locator('[data-chart][data-state=ready]').first().waitFor();
    await page.screenshot({ path: screenshotPath('dashboard-machine-390'), fullPage: true });
    await page.goto(`${server.url}/#/alerts`);
    await page.locator('[data-tab=open]').waitFor();
    await page.screenshot({ path: screenshotPath('dashboard-alerts-390') });
  });

  it('fits every page in a 390 px wide screen, also after a resize from 1440 px', async () => {
    const id = (host: string) => fleet.machines.find((m) => m.hostname === host)?.id ?? '';
    const pages = [
      '#/',
      `#/machines/${id('dev18-laptop')}`,
      `#/machines/${id('dev01-laptop')}`,
      '#/developers/dev01',
      '#/alerts',
      '#/no-such-page',
    ];
    const overflow = () =>
      page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

    for (const hash of pages) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.goto('about:blank');
      await page.goto(`${server.url}/${hash}`);
      await page.locator('[data-page]').waitFor();
      await expect.poll(() => page.locator('[data-state=loading]').count()).toBe(0);

      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(overflow, { message: hash }).toBeLessThanOrEqual(0);
      await page.reload();
      await page.locator('[data-page]').waitFor();
      await expect.poll(() => page.locator('[data-state=loading]').count()).toBe(0);
      await expect.poll(overflow, { message: hash }).toBeLessThanOrEqual(0);
    }

    // The alert tabs keep their counts beside their names.
    await page.goto(`${server.url}/#/alerts`);
    await page.locator('[data-tab=open]').waitFor();
    const tabs = await page
      .locator('[data-tab]')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height));
    expect(tabs).toHaveLength(3);
    for (const height of tabs) expect(height).toBeLessThan(50);
  });

  it('wraps a long daemon error in the phone card and shows all of it on focus', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    const daemon = reason('dev18-laptop', 'daemon');
    await daemon.waitFor();
    const box = () =>
      daemon.evaluate((el) => ({
        cutSideways: el.scrollWidth > el.clientWidth,
        cutBelow: el.scrollHeight > el.clientHeight + 1,
        title: el.getAttribute('title') ?? '',
      }));

    const before = await box();
    expect(before.cutSideways).toBe(false);
    expect(before.cutBelow).toBe(true);
    expect(before.title).toContain('dockerDesktopLinuxEngine');

    await daemon.focus();
    expect(await box()).toMatchObject({ cutSideways: false, cutBelow: false });
    expect(await daemon.innerText()).toMatch(/^Docker daemon: The Docker daemon was unreachable/);
    await page.screenshot({ path: screenshotPath('dashboard-fleet-card-390') });
  });
});

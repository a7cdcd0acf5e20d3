/**
 * The dashboard in headless Chromium against the real server on the large fleet: the production
 * JS the first page loads (every chunk, gzipped), the fleet page with every machine rendered and
 * the main thread free, and a year of hourly data drawn as trend charts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import type { Page } from 'playwright-core';

import { chromiumAvailable, launchBrowser, signIn } from '../tests/helpers/browser.js';
import { machineId, type FleetInfo } from './generate-fleet.js';
import {
  check,
  kib,
  ms,
  percentile,
  repoRoot,
  type BenchOptions,
  type Figure,
} from './lib/figures.js';
import { startBenchServer } from './lib/processes.js';
import { fleetMachine } from './lib/reports.js';

const assetsDir = path.join(repoRoot, 'web', 'dist', 'assets');

export async function runDashboard(
  options: BenchOptions,
  fleet: FleetInfo | null,
): Promise<Figure[]> {
  if (!fleet) throw new Error('the dashboard figures need the generated fleet');
  if (!fs.existsSync(assetsDir)) throw new Error('no web/dist: npm run build first');
  if (!chromiumAvailable()) throw new Error('no Chromium: scripts/install-chromium.sh');

  const chunks = fs
    .readdirSync(assetsDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ file: f, gzip: gzipSync(fs.readFileSync(path.join(assetsDir, f))).length }));
  const runs = options.quick ? 1 : 5;

  const server = await startBenchServer(fleet.file);
  const { browser, close } = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const loaded = new Set<string>();
    page.on('response', (res) => {
      const name = path.basename(new URL(res.url()).pathname);
      if (name.endsWith('.js')) loaded.add(name);
    });
    await signIn(page, server.url);
    await page.locator('[data-table=health] [data-machine-id]').first().waitFor();
    const firstPage = chunks.filter((c) => loaded.has(c.file));
    const firstPageGzip = firstPage.reduce((sum, c) => sum + c.gzip, 0);

    const fleetTimes: number[] = [];
    for (let i = 0; i < runs; i++)
      fleetTimes.push(await timeFleetPage(page, server.url, fleet.machines));
    const fleetP = Math.max(...fleetTimes);
    options.log(`  fleet page: ${fleetTimes.map((t) => ms(t, 0)).join(', ')}`);

    const chartTimes: number[] = [];
    const id = machineId(fleetMachine(0));
    for (let i = 0; i < runs; i++) chartTimes.push(await timeYearCharts(page, server.url, id));
    options.log(`  year charts: ${chartTimes.map((t) => ms(t, 0)).join(', ')}`);

    const every = chunks.map((c) => `${c.file} ${kib(c.gzip)}`).join('; ');
    const yearLong = fleet.yearMachines > 0 || fleet.days >= 365;
    const year = yearLong ? 'a year of hourly data' : `${fleet.days} days of data`;
    return [
      {
        area: 'dashboard',
        name: `production JS of the first page, gzipped (${firstPage.map((c) => c.file).join(', ')})`,
        measured: kib(firstPageGzip),
        target: '≤ 150 KB gzipped',
        met: check(options.quick, firstPageGzip <= 150 * 1000),
        note: `every chunk: ${every}`,
      },
      {
        area: 'dashboard',
        name: `fleet page with ${fleet.machines} machines: reload to every row rendered and main thread idle (worst of ${runs})`,
        measured: ms(fleetP, 0),
        target: '≤ 1 s',
        met: check(options.quick, fleetP <= 1000),
      },
      {
        area: 'dashboard',
        name: `trend charts of ${year}: click "A year" to every chart drawn, fetch included (median of ${runs}, worst ${ms(Math.max(...chartTimes), 0)})`,
        measured: ms(percentile(chartTimes, 50), 0),
        target: '≤ 200 ms',
        met: check(options.quick, percentile(chartTimes, 50) <= 200),
      },
    ];
  } finally {
    await close();
    await server.stop();
  }
}

async function timeFleetPage(page: Page, url: string, machines: number): Promise<number> {
  await page.goto(`${url}/#/`);
  const started = Date.now();
  await page.reload();
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-table=health] [data-machine-id]').length >= n,
    machines,
    { polling: 'raf', timeout: 30_000 },
  );
  // Interactive: a task queued now runs only once the rendering work before it is done.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return Date.now() - started;
}

async function timeYearCharts(page: Page, url: string, id: string): Promise<number> {
  await page.goto(`${url}/#/machines/${encodeURIComponent(id)}`);
  await page.locator('[data-chart][data-state=ready]').first().waitFor({ timeout: 30_000 });
  await page.locator('[data-range="30"]').click();
  await page.locator('[data-range="30"][aria-pressed=true]').waitFor();
  await page.locator('[data-chart][data-state=ready]').first().waitFor({ timeout: 30_000 });

  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  return page.evaluate<number>(TIME_YEAR_CLICK);
}

// Done when the charts were rebuilt for the year and every one is drawn, plus one frame.
const TIME_YEAR_CLICK = `(async () => {
  const button = document.querySelector('[data-range="365"]');
  if (!button) throw new Error('no year range button');
  const started = performance.now();
  button.click();
  await new Promise((resolve) => {
    const poll = () => {
      const charts = [...document.querySelectorAll('[data-chart]')];
      const ready = charts.length > 0 && charts.every((c) => c.dataset.state === 'ready');
      if (ready && performance.now() - started > 1) resolve();
      else requestAnimationFrame(poll);
    };
    requestAnimationFrame(poll);
  });
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - started;
})()`;

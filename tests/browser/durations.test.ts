import type { Alert, AlertList, MachineList, Trends } from '@devfleet/wire';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import { getJson, startServerProcess, type ServerProcess } from '../helpers/processes.js';
import { enroll, macReport, sendReport, timedBuild } from './fleet-fixtures.js';

const DAY = 24 * 3600 * 1000;

// The steps a person counts in, in ms: what every duration axis must step by.
const humanSteps = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
];

const units: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };

/** "1 min 30 s" → 90000. */
function parseDuration(label: string): number {
  const parts = [...label.matchAll(/(\d+(?:\.\d+)?) (ms|s|min|h)/g)];
  if (parts.map((p) => p[0]).join(' ') !== label) throw new Error(`not a duration: ${label}`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * (units[unit ?? ''] ?? 0), 0);
}

/** The y axis's labels of a chart, once drawn. */
async function yTicks(page: Page, chart: string): Promise<string[]> {
  const figure = page.locator(`[data-chart="${chart}"][data-state=ready]`);
  await figure.waitFor();
  return ((await figure.getAttribute('data-y-ticks')) ?? '').split('|');
}

function expectHumanAxis(labels: string[]): void {
  expect(new Set(labels).size).toBe(labels.length);
  const values = labels.map(parseDuration).sort((a, b) => a - b);
  const steps = values.slice(1).map((v, i) => Math.round((v - (values[i] ?? 0)) * 1000) / 1000);
  expect(new Set(steps).size).toBe(1);
  expect(humanSteps).toContain(steps[0]);
}

// Durations as the dashboard writes them: axes in whole human steps, rounding that carries into
// the next unit, and decimals where a step needs them.
describe.skipIf(!chromiumAvailable())('durations in the dashboard', () => {
  let server: ServerProcess;
  let close: () => Promise<void>;
  let page: Page;
  let machineId: string;

  beforeAll(async () => {
    server = await startServerProcess();
    const key = await enroll(server.url, 'fmt-mac', 'dev40');
    // Eight days of a build that takes 95 to 160 s: an axis in minutes.
    for (let day = 8; day >= 1; day -= 1) {
      const at = new Date(Date.now() - day * DAY);
      const build = timedBuild('payments-api', at, 95_000 + (8 - day) * 9_000);
      await sendReport(server.url, key, macReport('fmt-mac', 'dev40', at, [build]));
    }
    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    machineId = list.machines[0]?.id ?? '';

    const launched = await launchBrowser();
    close = launched.close;
    page = await launched.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, server.url);
  });

  /** A full load, so that a routed response is fetched anew. */
  async function open(hash: string): Promise<void> {
    await page.goto('about:blank');
    await page.goto(`${server.url}/${hash}`);
  }

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  it('steps a minute-scale axis by whole seconds or minutes', async () => {
    await open(`#/machines/${machineId}`);
    const labels = await yTicks(page, 'build:payments-api');

    expectHumanAxis(labels);
    expect(labels[0]).toBe('0 s');
    expect(labels.some((l) => / min/.test(l))).toBe(true);
    expect(labels.join('|')).not.toMatch(/\b60 s/);
  });

  it('labels a sub-millisecond axis with the decimals its step needs', async () => {
    // Stat calls on a fast disk: a third of a millisecond to under two.
    const now = Date.now();
    const trends: Trends = {
      from: new Date(now - 30 * DAY).toISOString(),
      to: new Date(now).toISOString(),
      bucketMs: DAY,
      markers: [],
      series: [
        {
          name: 'bench.mount.bind.stat',
          machineId,
          hostname: 'fmt-mac',
          points: Array.from({ length: 20 }, (_, i) => {
            const y = 0.3 + (i % 7) * 0.17;
            return { x: now - (20 - i) * DAY, y, min: y, max: y, n: 1 };
          }),
        },
      ],
    };
    await page.route('**/api/v1/machines/*/trends?*', (route) => route.fulfill({ json: trends }));
    await open(`#/machines/${machineId}`);
    const labels = await yTicks(page, 'bench.mount.stat');
    await page.unrouteAll();

    expectHumanAxis(labels);
    expect(labels.some((l) => /^\d+\.\d+ ms$/.test(l))).toBe(true);
    await page.screenshot({ path: screenshotPath('durations-sub-ms'), fullPage: true });
  });

  it('carries rounding into the next unit: 119.7 s is 2 min, 59 min 59.7 s is 1 h', async () => {
    const at = new Date().toISOString();
    const alert: Alert = {
      id: 'alert-carry',
      scope: 'machine',
      kind: 'regression',
      series: 'build:payments-api',
      transition: null,
      title: 'build:payments-api slower',
      status: 'open',
      effect: 29,
      openedAt: at,
      updatedAt: at,
      acknowledgedAt: null,
      resolvedAt: null,
      resolution: null,
      machines: [
        {
          machineId,
          hostname: 'fmt-mac',
          effect: 29,
          pValue: 0.001,
          beforeCount: 5,
          afterCount: 5,
          beforeMedianMs: 119_700,
          afterMedianMs: 3_599_700,
          changeAt: null,
        },
      ],
      evidence: {},
    };
    const list: AlertList = { alerts: [alert] };
    await page.route('**/api/v1/alerts', (route) => route.fulfill({ json: list }));
    await open('#/alerts');
    const card = page.locator('[data-alert-id=alert-carry]');
    await card.waitFor();
    const text = await card.locator('[data-link=machine]').locator('..').innerText();
    await page.unrouteAll();

    expect(text).toContain('2 min → 1 h');
    expect(text).not.toMatch(/60 s/);
  });
});

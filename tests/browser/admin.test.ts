import type { MachineList } from '@devfleet/wire';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import {
  dashboardSession,
  getJson,
  startServerProcess,
  type ServerProcess,
} from '../helpers/processes.js';
import { enroll, macReport, sendReport } from './fleet-fixtures.js';

const VIEWER = { username: 'lead', password: 'viewer-password-123' };

/** POST /api/v1/enroll as an agent would, answering the status and the error code, if any. */
async function enrollWith(url: string, secret: string): Promise<[number, string | undefined]> {
  const res = await fetch(`${url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret, hostname: 'new-laptop', user: 'newdev' }),
  });
  const body = (await res.json()) as { error?: { code: string } };
  return [res.status, body.error?.code];
}

async function signInAs(page: Page, url: string, username: string, password: string) {
  await page.goto(url);
  await page.locator('[data-page=login] input[name=username]').fill(username);
  await page.locator('[data-page=login] input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-page=login]').waitFor({ state: 'detached', timeout: 15_000 });
}

// What an admin does with the dashboard alone: rotate the enrollment secret, retire a laptop,
// add a viewer; and what that viewer then sees.
describe.skipIf(!chromiumAvailable())('admin page in headless Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let close: () => Promise<void>;
  let page: Page;
  let machineId: string;
  let machineKey: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess();
    machineKey = await enroll(server.url, 'old-laptop', 'devuser');
    await sendReport(server.url, machineKey, macReport('old-laptop', 'devuser', new Date()));
    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    machineId = list.machines[0]?.id ?? '';

    ({ browser, close } = await launchBrowser());
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await signIn(page, server.url);
  });

  afterAll(async () => {
    await close?.();
    await server?.stop();
  });

  it('creates a secret that enrolls a machine, then revokes it so it enrolls none', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    const secrets = page.locator('[data-section=enrollment-secrets]');
    await secrets.locator('tr[data-secret-id]').first().waitFor({ timeout: 15_000 });

    // Held back, so the button can be seen disabled while the request runs.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/v1/enrollment-secrets', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await secrets.locator('input[name=label]').fill('rotation december');
    await secrets.locator('[data-action=create-secret]').click();
    await expect.poll(() => secrets.locator('[data-action=create-secret]').isDisabled()).toBe(true);
    release();

    const secret = (await secrets.locator('[data-field=secret]').innerText()).trim();
    const command = await secrets.locator('[data-field=enroll-command]').innerText();
    expect(command.trim()).toBe(`devfleet-agent enroll --server ${server.url} --secret ${secret}`);
    expect(await secrets.locator('[data-action=create-secret]').isDisabled()).toBe(false);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: server.url,
    });
    await secrets.locator('[data-action=copy-command]').click();
    await secrets.locator('[data-action=copy-command]', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command.trim());
    expect(await enrollWith(server.url, secret)).toEqual([201, undefined]);
    await page.screenshot({ path: screenshotPath('admin-1440'), fullPage: true });

    await secrets.locator('[data-action=dismiss-secret]').click();
    const row = secrets.locator('tr[data-secret-id]', { hasText: 'rotation december' });
    await row.locator('[data-action=revoke-secret]').click();
    expect(await row.innerText()).toContain('No machine can enroll with it');
    await row.locator('[data-action=confirm]').click();
    await row.and(page.locator('[data-secret-state=revoked]')).waitFor();

    expect(await enrollWith(server.url, secret)).toEqual([401, 'DEVFLEET_ENROLL_SECRET_INVALID']);
    expect(await secrets.locator('[data-field=secret]').count()).toBe(0);
  });

  it("shows the server's refusal next to the button instead of swallowing it", async () => {
    // Another admin revoked the secret a moment ago, in another tab.
    const first = page.locator('tr[data-secret-state=active]').first();
    const id = await first.getAttribute('data-secret-id');
    const res = await fetch(`${server.url}/api/v1/enrollment-secrets/${id}`, {
      method: 'DELETE',
      headers: await dashboardSession(server.url),
    });
    expect(res.status).toBe(204);

    await first.locator('[data-action=revoke-secret]').click();
    await first.locator('[data-action=confirm]').click();

    const error = page.locator(`tr[data-secret-id="${id}"] [data-state=error]`);
    await error.waitFor();
    expect(await error.getAttribute('data-error-code')).toBe('DEVFLEET_NOT_FOUND');
    expect(await error.innerText()).toContain('No active enrollment secret');
  });

  it("revokes a machine from its page, and that machine's key then gets 401", async () => {
    await page.goto(`${server.url}/#/machines/${machineId}`);
    const machine = page.locator('[data-page=machine]');
    await machine.locator('[data-action=revoke-machine]').click();
    expect(await machine.locator('[data-confirm=revoke-machine]').innerText()).toContain('401');
    await page.screenshot({ path: screenshotPath('admin-machine-confirm-1440') });
    await machine.locator('[data-action=confirm]').click();
    await machine.locator('[data-state=revoked]').waitFor();
    await page.screenshot({ path: screenshotPath('admin-machine-revoked-1440'), fullPage: true });

    const report = { ...macReport('old-laptop', 'devuser', new Date()), reportId: 'after-revoke' };
    const res = await fetch(`${server.url}/api/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${machineKey}` },
      body: JSON.stringify(report),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'DEVFLEET_MACHINE_KEY_INVALID',
    );
    expect(await machine.locator('[data-action=revoke-machine]').count()).toBe(0);

    // A retired laptop leaves the fleet: no row, no count.
    await page.getByRole('link', { name: 'Fleet', exact: true }).click();
    await page.locator('[data-count=machines] .value').waitFor();
    expect(await page.locator(`[data-machine-id="${machineId}"]`).count()).toBe(0);
  });

  it('adds a viewer, who sees no Admin link and is told the page is for admins; removes it', async () => {
    await page.getByRole('link', { name: 'Admin' }).click();
    const form = page.locator('form[data-form=add-login]');
    await form.locator('input[name=username]').fill(VIEWER.username);
    await form.locator('select[name=role]').selectOption('viewer');
    await form.locator('input[name=password]').fill(VIEWER.password);
    await form.locator('[data-action=add-login]').click();
    await page.locator('tr[data-username=lead][data-role=viewer]').waitFor();
    // No remove button for the admin's own login: the server would refuse it.
    expect(await page.locator('tr[data-username=admin] [data-action=remove-login]').count()).toBe(
      0,
    );

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: screenshotPath('admin-390'), fullPage: true });

    const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const viewer = await viewerContext.newPage();
    viewer.on('pageerror', (error) => pageErrors.push(error.message));
    await signInAs(viewer, server.url, VIEWER.username, VIEWER.password);
    const nav = viewer.locator('header nav');
    await nav.getByRole('link', { name: 'Alerts' }).waitFor();
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['Fleet', 'Alerts']);

    await viewer.goto(`${server.url}/#/admin`);
    await viewer.locator('[data-page=admin] [data-state=admins-only]').waitFor();
    expect(await viewer.locator('table').count()).toBe(0);
    await viewer.screenshot({ path: screenshotPath('admin-viewer-390'), fullPage: true });

    // Removed by the admin, the viewer's session ends with the login.
    const lead = page.locator('tr[data-username=lead]');
    await lead.locator('[data-action=remove-login]').click();
    await lead.locator('[data-action=confirm]').click();
    await lead.waitFor({ state: 'detached' });
    await viewer.reload();
    await viewer.locator('[data-page=login]').waitFor();
    await viewerContext.close();

    expect(pageErrors).toEqual([]);
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import { startServerProcess, type ServerProcess } from '../helpers/processes.js';

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

  it('shows the login form without navigation and without a console error', async () => {
    await page.goto(server.url);
    await page.locator('[data-page=login] input[name=username]').waitFor();

    expect(await page.locator('header nav').count()).toBe(0);
    expect(await page.locator('[data-live]').count()).toBe(0);
    expect(await page.locator('header').innerText()).not.toContain('Alerts');
    await page.screenshot({ path: screenshotPath('first-run-login-1440') });
    expect(consoleErrors).toEqual([]);
  });

  it('signs out to the login form, again without a console error', async () => {
    await signIn(page, server.url);
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.locator('[data-page=login]').waitFor();
    await page.reload();
    await page.locator('[data-page=login] input[name=username]').waitFor();

    expect(await page.locator('header nav').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});

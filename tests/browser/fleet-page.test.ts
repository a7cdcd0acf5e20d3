import fs from 'node:fs';

import type { MachineList } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import {
  ENROLL_SECRET,
  getJson,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

describe.skipIf(!chromiumAvailable())('fleet page in headless Chromium', () => {
  let server: ServerProcess;
  let agentHome: string;
  let machine: MachineList['machines'][number];

  beforeAll(async () => {
    server = await startServerProcess();
    agentHome = tempDir('agent');
    const env = { DEVFLEET_AGENT_HOME: agentHome };

    const enrolled = await runAgent(
      ['enroll', '--server', server.url, '--secret', ENROLL_SECRET],
      env,
    );
    const reported = await runAgent(['report'], env);
    if (enrolled.code !== 0 || reported.code !== 0) {
      throw new Error(`agent failed: ${enrolled.stderr}${reported.stderr}`);
    }

    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    const first = list.machines[0];
    if (!first) throw new Error('no machine after the report');
    machine = first;
  });

  afterAll(async () => {
    await server?.stop();
    if (agentHome) fs.rmSync(agentHome, { recursive: true, force: true });
  });

  it('shows this machine in the fleet table and opens its page', async () => {
    const { browser, close } = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      await signIn(page, server.url);
      const row = page.locator(`[data-machine-id="${machine.id}"]`);
      await row.waitFor({ timeout: 15_000 });

      expect(await row.locator('[data-column=host]').textContent()).toContain(machine.hostname);
      await page.screenshot({ path: screenshotPath('fleet-1440'), fullPage: true });

      await row.getByRole('link', { name: machine.hostname }).click();
      await page.waitForURL(new RegExp(`#/machines/${machine.id}$`));
      const osField = page.locator('[data-page=machine] [data-field=osName]');
      await osField.waitFor({ timeout: 15_000 });
      expect(await osField.textContent()).toContain(machine.environment?.osName ?? '');
      const engine = machine.environment?.engineVersion;
      if (engine) {
        const engineField = page.locator('[data-page=machine] [data-field=engineVersion]');
        expect(await engineField.textContent()).toContain(engine);
      }
      await page.screenshot({ path: screenshotPath('machine-1440'), fullPage: true });

      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(server.url);
      await row.waitFor();
      await page.screenshot({ path: screenshotPath('fleet-390'), fullPage: true });

      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});

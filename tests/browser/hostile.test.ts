import fs from 'node:fs';

import type { Report } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { chromiumAvailable, launchBrowser, screenshotPath, signIn } from '../helpers/browser.js';
import {
  ENROLL_SECRET,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

// Everything a machine reports is untrusted. These strings go in through the real report route
// and must come out as text: no script runs, no attribute is injected, the page stays usable.
const HOSTILE = {
  script: '<script>window.__pwned = "script"</script>',
  handler: '"><img src=x onerror="window.__pwned=\'handler\'">',
  javascriptUrl: 'javascript:window.__pwned="url"',
  rtl: 'devhost-\u202Egnp.exe',
  long: `devhost-${'x'.repeat(240)}`,
};

describe.skipIf(!chromiumAvailable())('hostile reported strings in the dashboard', () => {
  let server: ServerProcess;
  let home: string;

  beforeAll(async () => {
    server = await startServerProcess();
    home = tempDir('agent');
    const env = { DEVFLEET_AGENT_HOME: home };
    const enrolled = await runAgent(
      ['enroll', '--server', server.url, '--secret', ENROLL_SECRET],
      env,
    );
    if (enrolled.code !== 0) throw new Error(enrolled.stderr);

    // A real report, then the same with hostile values, sent as a rogue agent would.
    const collected = JSON.parse((await runAgent(['collect', '--json'], env)).stdout) as Report;
    const { machineKey } = JSON.parse(fs.readFileSync(`${home}/agent.json`, 'utf8')) as {
      machineKey: string;
    };
    const names = Object.values(HOSTILE);
    for (const [i, hostname] of names.entries()) {
      const report: Report = {
        ...collected,
        reportId: `hostile-report-${i}`,
        collectedAt: new Date(Date.now() - (names.length - i) * 60_000).toISOString(),
        host: { ...collected.host, hostname, user: HOSTILE.handler, osName: HOSTILE.script },
        docker: {
          ...collected.docker,
          daemon: { state: 'unreachable', error: HOSTILE.script },
          desktop: { version: HOSTILE.javascriptUrl, build: HOSTILE.rtl },
        },
      };
      const res = await fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${machineKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(report),
      });
      if (!res.ok) throw new Error(`report refused: ${res.status} ${await res.text()}`);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows the strings as text on every page, runs none of them, and stays usable', async () => {
    const { browser, close } = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      const dialogs: string[] = [];
      const cspViolations: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
      });

      await signIn(page, server.url);
      const link = page.locator('a', { hasText: 'devhost-' }).first();
      await link.waitFor({ timeout: 15_000 });
      await page.screenshot({ path: screenshotPath('hostile-fleet'), fullPage: true });

      // The last report's host name is the long one: it is there as text, not markup.
      expect(await page.locator('body').innerText()).toContain(HOSTILE.long.slice(0, 40));
      expect(await page.locator('img[src=x]').count()).toBe(0);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);

      await link.click();
      await page.locator('[data-page=machine] [data-field=osName]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-page=machine] [data-field=osName]').innerText()).toContain(
        '<script>',
      );
      await page.screenshot({ path: screenshotPath('hostile-machine'), fullPage: true });

      // Still usable: navigation works after all of it.
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.locator('[data-page=alerts]').waitFor();

      expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(await page.locator('img[src=x]').count()).toBe(0);
      expect(cspViolations).toEqual([]);
    } finally {
      await close();
    }
  });
});

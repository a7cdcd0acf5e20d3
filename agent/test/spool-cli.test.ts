import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Report } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from './helpers/agent-process.js';
import { startFakeServer, type Reply } from './helpers/fake-server.js';
import { startSilentServer } from './helpers/silent-server.js';

const enrolled = { machineId: 'machine-1', machineKey: 'key-1' };
const stored = { status: 201, body: { reportId: 'r', machineId: 'machine-1', duplicate: false } };

describe('devfleet-agent report with a spool', () => {
  let home: string;
  let emptyPath: string;
  const servers: Awaited<ReturnType<typeof startFakeServer>>[] = [];

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-home-'));
    emptyPath = await mkdtemp(path.join(os.tmpdir(), 'devfleet-path-'));
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await rm(home, { recursive: true, force: true });
    await rm(emptyPath, { recursive: true, force: true });
  });

  // PATH holds no docker, so `report` collects quickly and deterministically.
  const agent = (args: string[], extra: Record<string, string> = {}) =>
    runAgent(args, agentEnv({ DEVFLEET_AGENT_HOME: home, PATH: emptyPath, ...extra }));

  const serve = async (reply: Reply) => {
    const server = await startFakeServer((req) =>
      req.url === '/api/v1/enroll' ? { status: 201, body: enrolled } : reply(req),
    );
    servers.push(server);
    return server;
  };

  const enrollWith = async (url: string) => {
    const file = path.join(home, 'agent.json');
    await writeFile(file, JSON.stringify({ serverUrl: url, ...enrolled }), { mode: 0o600 });
  };

  const reportsTo = (server: { received: { url: string; body: unknown }[] }) =>
    server.received.filter((r) => r.url === '/api/v1/reports').map((r) => r.body as Report);

  it('keeps reports while the server is down and sends them in order when it is back', async () => {
    const gone = await serve(() => stored);
    await enrollWith(gone.url);
    await gone.close();
    servers.splice(0);

    const first = await agent(['report', '--no-wait']);
    expect(first.exitCode).toBe(1);
    expect(first.stderr).toMatch(/^error AGENT_SERVER_UNREACHABLE: cannot reach .*ECONNREFUSED/);
    expect(first.stderr).toContain('is kept in the spool (1 report waiting)');
    const second = await agent(['report', '--no-wait']);
    expect(second.stderr).toContain('(2 reports waiting)');

    const back = await serve(() => stored);
    await enrollWith(back.url);
    const third = await agent(['report']);

    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain('sent 2 spooled reports');
    const sent = reportsTo(back);
    expect(sent).toHaveLength(3);
    expect(sent.map((r) => r.spool?.pending)).toEqual([2, 1, 0]);
    const collected = sent.map((r) => r.collectedAt);
    expect(collected).toEqual([...collected].sort());
    expect(third.stdout).toContain(`report ${sent[2]?.reportId} accepted`);
    const left = await readdir(path.join(home, 'spool'));
    expect(left.filter((name) => /^\d{15}-/.test(name))).toEqual([]);
  });

  it('moves a refused report aside with the reason and never sends it again', async () => {
    let refuse = true;
    const server = await serve(() =>
      refuse
        ? { status: 400, body: { error: { code: 'DEVFLEET_VALIDATION', message: 'bad field' } } }
        : stored,
    );
    await enrollWith(server.url);

    const refused = await agent(['report']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^error AGENT_REPORT_REJECTED: .*DEVFLEET_VALIDATION.*kept in /);
    const rejectedDir = path.join(home, 'spool', 'rejected');
    const reason = (await readdir(rejectedDir)).find((name) => name.endsWith('.error.json'));
    expect(await readFile(path.join(rejectedDir, reason ?? ''), 'utf8')).toContain('bad field');

    refuse = false;
    const next = await agent(['report']);
    expect(next.exitCode).toBe(0);
    expect(reportsTo(server)).toHaveLength(2);
  });

  it('moves a folder named like a spooled report to rejected/ and reports as usual', async () => {
    const server = await serve(() => stored);
    await enrollWith(server.url);
    const name = '000000000000001-000000-cccccccc.json';
    await mkdir(path.join(home, 'spool', name), { recursive: true });

    const first = await agent(['report']);
    const second = await agent(['report']);

    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe(
      `warning: spooled report cccccccc refused (${path.join(home, 'spool', name)} is not a ` +
        `file); moved to ${path.join(home, 'spool', 'rejected', name)}\n`,
    );
    expect((await stat(path.join(home, 'spool', 'rejected', name))).isDirectory()).toBe(true);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toBe('');
    expect(reportsTo(server)).toHaveLength(2);
  });

  it('retries a failing server for the retry budget, then leaves the report spooled', async () => {
    const server = await serve(() => ({
      status: 503,
      body: { error: { code: 'DEVFLEET_UNAVAILABLE', message: 'busy' } },
    }));
    await enrollWith(server.url);

    const run = await agent(['report', '--retry-for', '1'], { DEVFLEET_AGENT_RETRY_MS: '100' });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /^error AGENT_SERVER_ERROR: .*DEVFLEET_UNAVAILABLE.*1 report waiting/,
    );
    expect(reportsTo(server).length).toBeGreaterThanOrEqual(3);
    expect(new Set(reportsTo(server).map((r) => r.reportId)).size).toBe(1);
  });

  it('delivers both reports, once each, when two runs report at once', async () => {
    const server = await serve(() => stored);
    await enrollWith(server.url);

    const runs = await Promise.all([agent(['report']), agent(['report'])]);

    expect(runs.map((r) => r.exitCode)).toEqual([0, 0]);
    const ids = reportsTo(server).map((r) => r.reportId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('keeps the report when a 2xx answer is not the server’s receipt', async () => {
    const portal = '<html><body>Sign in to the guest Wi-Fi</body></html>';
    const server = await serve(() => ({
      status: 200,
      body: null,
      raw: portal,
      headers: { 'content-type': 'text/html' },
    }));
    await enrollWith(server.url);

    const run = await agent(['report', '--no-wait']);

    expect(run.stderr).toMatch(
      /^error AGENT_SERVER_RESPONSE_INVALID: .*HTTP 200 .*text\/html.*1 report waiting/,
    );
    expect(run.exitCode).toBe(1);
    const left = await readdir(path.join(home, 'spool'));
    expect(left.filter((name) => /^\d{15}-/.test(name))).toHaveLength(1);
  });

  it('keeps the report when a 2xx JSON answer carries no receipt', async () => {
    const server = await serve(() => ({ status: 201, body: { ok: true } }));
    await enrollWith(server.url);

    const run = await agent(['report', '--no-wait']);

    expect(run.stderr).toMatch(/^error AGENT_SERVER_RESPONSE_INVALID: .*JSON without a receipt/);
    expect(run.exitCode).toBe(1);
    expect((await readdir(path.join(home, 'spool'))).some((n) => /^\d{15}-/.test(n))).toBe(true);
  });

  it('keeps the report and releases the locks when the server closes the connection', async () => {
    const silent = await startSilentServer('close');
    await enrollWith(silent.url);

    const run = await agent(['report', '--no-wait']);
    await silent.close();

    expect(run.stderr).toMatch(
      /^error AGENT_SERVER_UNREACHABLE: cannot reach .*closed without an answer.*1 report waiting/,
    );
    expect(run.exitCode).toBe(1);
    const left = await readdir(path.join(home, 'spool'));
    expect(left.filter((name) => /^\d{15}-/.test(name))).toHaveLength(1);
    expect(left).not.toContain('.flush.lock');
    expect(left).not.toContain('.lock');
  });

  it('gives up on a server that never answers after the request timeout', async () => {
    const silent = await startSilentServer('hang');
    await enrollWith(silent.url);

    const run = await agent(['report', '--no-wait'], { DEVFLEET_AGENT_REQUEST_TIMEOUT_MS: '300' });
    await silent.close();

    expect(run.stderr).toMatch(/^error AGENT_SERVER_UNREACHABLE: .*no answer within 0.3 s/);
    expect(run.exitCode).toBe(1);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('rejects a retry budget that is not a number of seconds', async () => {
    const run = await agent(['report', '--retry-for', 'soon']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^error AGENT_USAGE: --retry-for/);
  });
});

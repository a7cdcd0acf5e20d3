import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Report } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from './helpers/agent-process.js';
import { startFakeServer, type Reply } from './helpers/fake-server.js';
import { startSilentServer } from './helpers/silent-server.js';

const enrolled = { machineId: 'machine-1', machineKey: 'key-1' };
const rejected = (code: string) => ({ status: 401, body: { error: { code, message: 'no' } } });

describe('devfleet-agent enroll and report', () => {
  let home: string;
  let emptyPath: string;
  let server: Awaited<ReturnType<typeof startFakeServer>> | undefined;

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-home-'));
    emptyPath = await mkdtemp(path.join(os.tmpdir(), 'devfleet-path-'));
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(home, { recursive: true, force: true });
    await rm(emptyPath, { recursive: true, force: true });
  });

  // PATH holds no docker, so `report` collects quickly and deterministically.
  const agent = (args: string[]) =>
    runAgent(args, agentEnv({ DEVFLEET_AGENT_HOME: home, PATH: emptyPath }));

  const serve = async (reply: Reply) => {
    server = await startFakeServer(reply);
    return server;
  };

  it('enrolls, stores the key readable by the user only, and sends a report', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll'
        ? { status: 201, body: enrolled }
        : { status: 202, body: { reportId: 'r', machineId: 'machine-1', duplicate: false } },
    );

    const enroll = await agent(['enroll', '--server', fake.url, '--secret', 'team-secret']);
    expect(enroll.stderr).toBe('');
    expect(enroll.exitCode).toBe(0);
    expect(fake.received[0]?.body).toMatchObject({
      secret: 'team-secret',
      hostname: os.hostname(),
    });

    const file = path.join(home, 'agent.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ serverUrl: fake.url, ...enrolled });
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);

    const report = await agent(['report']);
    expect(report.exitCode).toBe(0);
    const sent = fake.received[1];
    expect(sent?.url).toBe('/api/v1/reports');
    expect(sent?.headers.authorization).toBe('Bearer key-1');
    expect(Value.Check(Report, sent?.body)).toBe(true);
    expect(report.stdout).toContain((sent?.body as Report).reportId);
  });

  it('gives every report its own id', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll'
        ? { status: 201, body: enrolled }
        : { status: 202, body: { reportId: 'r', machineId: 'machine-1', duplicate: false } },
    );
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    await agent(['report']);
    await agent(['report']);
    const ids = fake.received.slice(1).map((req) => (req.body as Report).reportId);
    expect(new Set(ids).size).toBe(2);
  });

  it('explains a wrong enrollment secret', async () => {
    const fake = await serve(() => rejected('DEVFLEET_ENROLL_SECRET_INVALID'));

    const run = await agent(['enroll', '--server', fake.url, '--secret', 'wrong']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_ENROLL_REJECTED: .*DEVFLEET_ENROLL_SECRET_INVALID/);
  });

  it('says when the server cannot be reached', async () => {
    const fake = await serve(() => ({ status: 500, body: {} }));
    const url = fake.url;
    await fake.close();
    server = undefined;

    const run = await agent(['enroll', '--server', url, '--secret', 's']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_SERVER_UNREACHABLE: cannot reach .*ECONNREFUSED/);
  });

  it('says the server is unreachable when it closes the connection without answering', async () => {
    const silent = await startSilentServer('close');

    // Node's fetch lost such a request and the agent ended with exit 13 and no message.
    const runs = await Promise.all(
      [1, 2, 3].map(() => agent(['enroll', '--server', silent.url, '--secret', 's'])),
    );
    await silent.close();

    for (const run of runs) {
      expect(run.stderr).toMatch(
        /^error AGENT_SERVER_UNREACHABLE: cannot reach .*without an answer/,
      );
      expect(run.exitCode).toBe(1);
    }
  });

  it('rejects a malformed server URL before sending anything', async () => {
    const run = await agent(['enroll', '--server', 'fleet.example.com', '--secret', 's']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_SERVER_URL_INVALID: /);
  });

  it('tells an unenrolled machine to enroll', async () => {
    const run = await agent(['report']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_NOT_ENROLLED: .*devfleet-agent enroll --server/);
  });

  it('explains a revoked key and how to enroll again', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll' ? { status: 201, body: enrolled } : rejected('MACHINE_REVOKED'),
    );
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    const run = await agent(['report']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_KEY_REJECTED: .*revoked/);
    const hint = /enroll again with: devfleet-agent (enroll .*) --secret SECRET/.exec(run.stderr);
    expect(hint?.[1]).toBe(`enroll --force --server ${fake.url}`);

    // Without --force the agent knows the old machine is revoked and asks for no revocation.
    const unforced = await agent(['enroll', '--server', fake.url, '--secret', 's']);
    expect(unforced.exitCode).toBe(1);
    expect(unforced.stderr).toBe(
      `error AGENT_ALREADY_ENROLLED: this machine is enrolled with ${fake.url} as machine ` +
        'machine-1, whose key the server refused (revoked); enroll again with --force\n',
    );

    // The hint, run as printed, enrolls again.
    const again = await agent([...hint![1]!.split(' '), '--secret', 's']);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('checks the config folder can be written before registering a machine', async () => {
    const fake = await serve(() => ({ status: 201, body: enrolled }));
    const file = path.join(home, 'a-file');
    await writeFile(file, '');

    const run = await agent(['enroll', '--home', file, '--server', fake.url, '--secret', 's']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_CONFIG_UNWRITABLE: cannot write /);
    expect(fake.received).toEqual([]);
  });

  it('says why a benchmark of report --bench was skipped, the report accepted', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll'
        ? { status: 201, body: enrolled }
        : { status: 202, body: { reportId: 'r', machineId: 'machine-1', duplicate: false } },
    );
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    // No docker on PATH: the mount benchmark cannot run.
    const run = await agent(['report', '--bench', 'mount', '--quick']);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^report .* accepted by /);
    expect(run.stderr).toMatch(/^warning: bench mount: skipped in [\d.]+ s: .+\n$/m);
  });

  it('refuses --no-wait with --retry-for as a usage error, before collecting', async () => {
    const run = await agent(['report', '--no-wait', '--retry-for', '5']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(
      'error AGENT_USAGE: --no-wait and --retry-for exclude each other: --no-wait tries each ' +
        'report once\n',
    );
  });

  it('fails when the server refuses the report', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll'
        ? { status: 201, body: enrolled }
        : { status: 413, body: { error: { code: 'DEVFLEET_REPORT_TOO_LARGE', message: 'big' } } },
    );
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    const run = await agent(['report']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_REPORT_REJECTED: .*DEVFLEET_REPORT_TOO_LARGE/);
  });

  it('refuses an empty secret before sending anything', async () => {
    const fake = await serve(() => ({ status: 201, body: enrolled }));

    const typed = await agent(['enroll', '--server', fake.url, '--secret', '']);
    const fromEnv = await runAgent(
      ['enroll', '--server', fake.url],
      agentEnv({ DEVFLEET_AGENT_HOME: home, PATH: emptyPath, DEVFLEET_ENROLL_SECRET: '' }),
    );

    for (const run of [typed, fromEnv]) {
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^error AGENT_USAGE: --secret is empty/);
    }
    expect(fake.received).toEqual([]);
  });

  it('refuses a server address with a password, without repeating the password', async () => {
    const fake = await serve(() => ({ status: 201, body: enrolled }));
    const withPassword = fake.url.replace('http://', 'http://devuser:hunter2@');

    const run = await agent(['enroll', '--server', withPassword, '--secret', 's']);
    const noScheme = await agent([
      'enroll',
      '--server',
      'devuser:hunter2@fleet.test',
      '--secret',
      's',
    ]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_SERVER_URL_INVALID: .*user name or password/);
    expect(run.stderr).not.toContain('hunter2');
    expect(noScheme.exitCode).toBe(1);
    expect(noScheme.stderr).toMatch(/^error AGENT_SERVER_URL_INVALID: "\*\*\*@fleet.test" /);
    expect(fake.received).toEqual([]);
  });

  it('refuses a malformed machine key in agent.json without printing it', async () => {
    const fake = await serve(() => ({ status: 201, body: { reportId: 'r' } }));
    const key = 'dfk_Vq3m9Zk2xR7\nX-Injected: yes';
    await writeFile(
      path.join(home, 'agent.json'),
      JSON.stringify({ serverUrl: fake.url, machineId: 'machine-1', machineKey: key }),
    );

    const run = await agent(['report', '--no-wait']);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error AGENT_CONFIG_INVALID: .*machineKey missing or malformed/);
    expect(run.stderr).not.toContain('Vq3m9Zk2xR7');
    expect(fake.received).toEqual([]);
  });

  it('puts a machine id with a slash in the revoke address as one path segment', async () => {
    const fake = await serve(() => ({
      status: 201,
      body: { machineId: '../../admin', machineKey: 'key-1' },
    }));
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    const again = await agent(['enroll', '--server', fake.url, '--secret', 's']);

    expect(again.stderr).toContain(`${fake.url}/api/v1/machines/..%2F..%2Fadmin/revoke`);
  });

  it('refuses to enroll an enrolled machine again unless --force, naming the old machine', async () => {
    let next = 1;
    const fake = await serve(() => ({
      status: 201,
      body: { machineId: `machine-${next}`, machineKey: `key-${next++}` },
    }));
    await agent(['enroll', '--server', fake.url, '--secret', 's']);

    const again = await agent(['enroll', '--server', fake.url, '--secret', 's']);
    const forced = await agent(['enroll', '--server', fake.url, '--secret', 's', '--force']);

    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^error AGENT_ALREADY_ENROLLED: .*as machine machine-1;.*--force/);
    expect(again.stderr).toContain(`${fake.url}/api/v1/machines/machine-1/revoke`);
    expect(forced.exitCode).toBe(0);
    expect(forced.stderr).toMatch(/^note: .*revoke the old machine machine-1/);
    expect(fake.received).toHaveLength(2);
    expect(JSON.parse(await readFile(path.join(home, 'agent.json'), 'utf8'))).toMatchObject({
      machineId: 'machine-2',
    });
  });

  it('enroll --redact-user makes the owner the same hash report --redact-user sends', async () => {
    const fake = await serve((req) =>
      req.url === '/api/v1/enroll'
        ? { status: 201, body: enrolled }
        : { status: 201, body: { reportId: 'r', machineId: 'machine-1', duplicate: false } },
    );
    const env = agentEnv({
      DEVFLEET_AGENT_HOME: home,
      PATH: emptyPath,
      DEVFLEET_REDACT_SALT: 'team-salt',
      USER: 'devuser',
      LOGNAME: 'devuser',
    });

    const enroll = await runAgent(
      ['enroll', '--server', fake.url, '--secret', 's', '--redact-user'],
      env,
    );
    const report = await runAgent(['report', '--redact-user'], env);

    expect(enroll.exitCode).toBe(0);
    expect(report.exitCode).toBe(0);
    const owner = (fake.received[0]?.body as { user: string }).user;
    expect(owner).toMatch(/^user-[0-9a-f]{8}$/);
    expect(owner).toBe((fake.received[1]?.body as Report).host.user);
  });

  it('enroll --owner names the owner the server shows', async () => {
    const fake = await serve(() => ({ status: 201, body: enrolled }));

    const run = await agent(['enroll', '--server', fake.url, '--secret', 's', '--owner', 'Team A']);

    expect(run.exitCode).toBe(0);
    expect(fake.received[0]?.body).toMatchObject({ user: 'Team A' });
  });

  it('keeps its files in the folder --home names, over DEVFLEET_AGENT_HOME', async () => {
    const fake = await serve(() => ({ status: 201, body: enrolled }));
    const chosen = path.join(home, 'chosen');

    const run = await agent(['--home', chosen, 'enroll', '--server', fake.url, '--secret', 's']);

    expect(run.exitCode).toBe(0);
    expect(JSON.parse(await readFile(path.join(chosen, 'agent.json'), 'utf8'))).toMatchObject(
      enrolled,
    );
    await expect(stat(path.join(home, 'agent.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a usage error with its code and exit code 2', async () => {
    const run = await agent(['enroll', '--server', 'http://x']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^error AGENT_USAGE: .*--secret/);
  });
});

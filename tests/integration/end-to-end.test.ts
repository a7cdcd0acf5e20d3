import fs from 'node:fs';
import path from 'node:path';

import type { MachineList, Report } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { dockerAvailable, dockerFormat } from '../helpers/docker.js';
import {
  ENROLL_SECRET,
  getJson,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

// The same flow a team lead sees after `npm start`: the real server bin on a loopback port,
// the real agent CLI enrolling and reporting, the fleet read back through the API.
describe.each([
  { name: 'with a real Docker engine', daemon: 'running' as const },
  { name: 'with the daemon unreachable', daemon: 'unreachable' as const },
])('agent → server → fleet API $name', ({ daemon }) => {
  let server: ServerProcess;
  let agentHome: string;
  let agentEnv: Record<string, string>;

  beforeAll(async () => {
    server = await startServerProcess();
    agentHome = tempDir('agent');
    agentEnv = { DEVFLEET_AGENT_HOME: agentHome };
    // A socket path where nothing listens: the docker CLI is there, the daemon is not.
    if (daemon === 'unreachable') agentEnv.DOCKER_HOST = `unix://${agentHome}/no-daemon.sock`;
  });

  afterAll(async () => {
    await server?.stop();
    if (agentHome) fs.rmSync(agentHome, { recursive: true, force: true });
  });

  it('enrolls, reports, and the machine appears with what the agent saw', async (ctx) => {
    if (daemon === 'running' && !dockerAvailable()) {
      ctx.skip('no Docker engine answers here: run scripts/docker-engine.sh');
    }

    const enrolled = await runAgent(
      ['enroll', '--server', server.url, '--secret', ENROLL_SECRET],
      agentEnv,
    );
    expect(enrolled.stderr).toBe('');
    expect(enrolled.code).toBe(0);
    const configFile = fs.readdirSync(agentHome).find((f) => f.endsWith('.json'));
    expect(configFile).toBeDefined();
    expect(fs.statSync(path.join(agentHome, configFile ?? '')).mode & 0o777).toBe(0o600);

    const collected = await runAgent(['collect', '--json'], agentEnv);
    expect(collected.code).toBe(0);
    const seen = JSON.parse(collected.stdout) as Report;

    const reported = await runAgent(['report'], agentEnv);
    expect(reported.code).toBe(0);

    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    expect(list.totals.machines).toBe(1);
    const env = list.machines[0]?.environment;
    expect(env?.hostname).toBe(seen.host.hostname);
    expect(env?.cpus).toBe(seen.host.cpus);
    expect(env?.daemonState).toBe(daemon);

    if (daemon === 'running') {
      // Ground truth from the engine itself, not from the agent.
      expect(env?.engineVersion).toBe(dockerFormat('version', '{{.Server.Version}}'));
      expect(env?.engineCpus).toBe(Number(dockerFormat('info', '{{.NCPU}}')));
      expect(seen.docker.server?.version).toBe(env?.engineVersion);
    } else {
      expect(env?.engineVersion).toBeNull();
      expect(env?.daemonError).toMatch(/no-daemon\.sock|connect|daemon/i);
      expect(list.totals.daemonUnreachable).toBe(1);
    }
  });
});

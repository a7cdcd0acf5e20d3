import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Report } from '@devfleet/wire';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from '../helpers/agent-process.js';
import { startFakeServer } from '../helpers/fake-server.js';

const stored = { reportId: 'r', machineId: 'machine-1', duplicate: false };

describe.skipIf(process.platform === 'win32')(
  'devfleet-agent time and import-builds, as a child process',
  () => {
    let home: string;
    let bin: string;
    let server: Awaited<ReturnType<typeof startFakeServer>> | undefined;

    beforeEach(async () => {
      home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-home-'));
      // The few programs the builds below run, and no docker: collecting stays quick and alike.
      bin = await mkdtemp(path.join(os.tmpdir(), 'devfleet-path-'));
      for (const program of ['sh', 'true', 'echo']) {
        await symlink(`/bin/${program}`, path.join(bin, program));
      }
    });

    afterEach(async () => {
      await server?.close();
      server = undefined;
      await rm(home, { recursive: true, force: true });
      await rm(bin, { recursive: true, force: true });
    });

    const agent = (args: string[], agentHome = home) =>
      runAgent(args, agentEnv({ DEVFLEET_AGENT_HOME: agentHome, PATH: bin }));

    it('ends with the build’s exit code when the measurement cannot be written', async () => {
      // A file where the config folder should be: every write under it fails.
      const notAFolder = path.join(home, 'agent-home');
      await writeFile(notAFolder, '');

      const failed = await agent(['time', '--', 'sh', '-c', 'exit 3'], notAFolder);
      const passed = await agent(['time', '--', 'true'], notAFolder);

      expect(failed.exitCode).toBe(3);
      expect(failed.stderr).toMatch(
        /^warning: devfleet: .* took \d+\.\d s \(exit 3\) but was not recorded: AGENT_CONFIG_UNWRITABLE: cannot write /m,
      );
      expect(failed.stderr).toContain(notAFolder);
      expect(passed.exitCode).toBe(0);
      expect(passed.stderr).toMatch(/^warning: .*not recorded: AGENT_CONFIG_UNWRITABLE/);
    });

    it('says the build was queued and why, leaving the build’s output untouched', async () => {
      const run = await agent(['time', '--name', 'api', '--', 'echo', 'built']);

      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe('built\n');
      expect(run.stderr).toMatch(
        /^devfleet: api took \d+\.\d s \(exit 0\); queued for the next report \(AGENT_NOT_ENROLLED: /,
      );
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      const queued = await readFile(path.join(home, 'pending-builds.jsonl'), 'utf8');
      expect(JSON.parse(queued)).toMatchObject({ name: 'api', exitCode: 0 });
    });

    it('says the build was sent, and says nothing with --quiet', async () => {
      server = await startFakeServer(() => ({ status: 201, body: stored }));
      const config = { serverUrl: server.url, machineId: 'machine-1', machineKey: 'key-1' };
      await writeFile(path.join(home, 'agent.json'), JSON.stringify(config), { mode: 0o600 });

      const told = await agent(['time', '--name', 'api', '--', 'sh', '-c', 'exit 2']);
      const quiet = await agent(['time', '--quiet', '--', 'true']);

      expect(told.exitCode).toBe(2);
      expect(told.stderr).toMatch(/^devfleet: api took \d+\.\d s \(exit 2\); sent\n$/);
      expect(quiet.exitCode).toBe(0);
      expect(quiet.stderr).toBe('');
      const builds = server.received.flatMap((r) => (r.body as Report).builds ?? []);
      expect(builds.map((b) => b.exitCode)).toEqual([2, 0]);
    });

    it('fails with AGENT_BUILDX_UNAVAILABLE without docker, and says why in --json', async () => {
      const plain = await agent(['import-builds']);
      const json = await agent(['import-builds', '--json']);

      expect(plain.exitCode).toBe(1);
      expect(plain.stderr).toBe(
        'error AGENT_BUILDX_UNAVAILABLE: no builds imported: docker is not installed\n',
      );
      expect(json.exitCode).toBe(1);
      expect(JSON.parse(json.stdout)).toEqual({
        imported: [],
        sent: 0,
        queued: 0,
        error: {
          code: 'AGENT_BUILDX_UNAVAILABLE',
          message: 'no builds imported: docker is not installed',
        },
      });
    });
  },
);

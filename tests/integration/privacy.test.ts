import fs from 'node:fs';
import os from 'node:os';

import type { MachineList } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ENROLL_SECRET,
  getJson,
  runAgent,
  startServerProcess,
  tempDir,
  type ServerProcess,
} from '../helpers/processes.js';

describe('report --redact-user', () => {
  let server: ServerProcess;
  let home: string;

  beforeAll(async () => {
    server = await startServerProcess();
    home = tempDir('agent');
  });

  afterAll(async () => {
    await server?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  it('sends a hash instead of the user name, the same hash every time', async () => {
    const env = { DEVFLEET_AGENT_HOME: home };
    await runAgent(['enroll', '--server', server.url, '--secret', ENROLL_SECRET], env);

    const first = await runAgent(['report', '--redact-user', '--redact-paths'], env);
    const second = await runAgent(['report', '--redact-user'], env);

    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const list = await getJson<MachineList>(server.url, '/api/v1/machines');
    const user = list.machines[0]?.environment?.user ?? '';
    expect(user).toMatch(/^user-[0-9a-f]{8}$/);
    expect(user).not.toContain(os.userInfo().username);
  });
});

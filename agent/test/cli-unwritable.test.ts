import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { asConfigUnwritable } from '../src/config/unwritable.js';
import { agentEnv, runAgent } from './helpers/agent-process.js';

describe('a config folder the agent cannot write', () => {
  let dir: string;
  let emptyPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-unwritable-'));
    emptyPath = await mkdtemp(path.join(os.tmpdir(), 'devfleet-path-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(emptyPath, { recursive: true, force: true });
  });

  const agent = (args: string[], home: string) =>
    runAgent(args, agentEnv({ DEVFLEET_AGENT_HOME: home, PATH: emptyPath }));

  // Tests run as root, where chmod denies nothing: a file where a folder must be fails alike.
  it('is AGENT_CONFIG_UNWRITABLE with the path for collect --redact-user', async () => {
    const home = path.join(dir, 'a-file');
    await writeFile(home, '');

    const run = await agent(['collect', '--redact-user'], home);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `error AGENT_CONFIG_UNWRITABLE: cannot write ${home}: a file stands where a folder is ` +
        `needed (EEXIST); the agent keeps its files in ${home}, which must be a folder it can ` +
        'write (--home or DEVFLEET_AGENT_HOME chooses another)\n',
    );
  });

  it('is AGENT_CONFIG_UNWRITABLE with the path when report cannot make its spool', async () => {
    const config = { serverUrl: 'http://127.0.0.1:9', machineId: 'm', machineKey: 'k' };
    await writeFile(path.join(dir, 'agent.json'), JSON.stringify(config));
    await writeFile(path.join(dir, 'spool'), '');

    const run = await agent(['report', '--no-wait'], dir);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(
      /^error AGENT_CONFIG_UNWRITABLE: cannot write .*spool: a file stands where a folder is needed/,
    );
    expect(run.stderr).toContain(path.join(dir, 'spool'));
  });

  it('names a denied write under the config folder, and leaves other errors alone', () => {
    const denied = Object.assign(new Error('EACCES: permission denied, open'), {
      code: 'EACCES',
      path: path.join(dir, 'spool', '.lock'),
    });
    const elsewhere = Object.assign(new Error('EACCES: permission denied, open'), {
      code: 'EACCES',
      path: '/etc/shadow',
    });

    expect(asConfigUnwritable(denied, dir)).toMatchObject({
      code: 'AGENT_CONFIG_UNWRITABLE',
      message: expect.stringMatching(/^cannot write .*\.lock: permission denied \(EACCES\)/),
    });
    expect(asConfigUnwritable(elsewhere, dir)).toBeNull();
    expect(asConfigUnwritable(new Error('boom'), dir)).toBeNull();
  });
});

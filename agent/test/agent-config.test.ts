import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig, saveConfig } from '../src/config/agent-config.js';

const config = { serverUrl: 'http://fleet.test', machineId: 'm-1', machineKey: 'k-secret' };
const posixOnly = process.platform === 'win32';

describe('agent config', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'devfleet-config-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the config and reads it back', async () => {
    const file = path.join(root, 'nested', 'devfleet', 'agent.json');
    await saveConfig(file, config);

    expect(await loadConfig(file)).toEqual(config);
  });

  it.skipIf(posixOnly)('makes the file 0600 and its directory 0700', async () => {
    const dir = path.join(root, 'devfleet');
    const file = path.join(dir, 'agent.json');
    await saveConfig(file, config);

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it.skipIf(posixOnly)('tightens a config directory that already existed wide open', async () => {
    const dir = path.join(root, 'devfleet');
    await mkdir(dir);
    await chmod(dir, 0o777);
    await saveConfig(path.join(dir, 'agent.json'), config);

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('replaces an earlier enrollment without leaving temporary files', async () => {
    const file = path.join(root, 'agent.json');
    await saveConfig(file, config);
    await saveConfig(file, { ...config, machineId: 'm-2' });

    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ machineId: 'm-2' });
    expect(await readdir(root)).toEqual(['agent.json']);
  });

  it('says the machine is not enrolled when there is no config', async () => {
    await expect(loadConfig(path.join(root, 'agent.json'))).rejects.toMatchObject({
      code: 'AGENT_NOT_ENROLLED',
    });
  });

  it('reads a config saved by a Windows editor with a byte order mark', async () => {
    const file = path.join(root, 'agent.json');
    await writeFile(file, `\uFEFF${JSON.stringify(config)}`);

    expect(await loadConfig(file)).toEqual(config);
  });

  it('rejects a config that is not JSON', async () => {
    const file = path.join(root, 'agent.json');
    await writeFile(file, '{ half');

    await expect(loadConfig(file)).rejects.toMatchObject({ code: 'AGENT_CONFIG_INVALID' });
  });

  it('rejects a config that is not JSON without quoting its text, key and all', async () => {
    const file = path.join(root, 'agent.json');
    // Hand-edited, the quotes lost: V8's message would quote the key.
    await writeFile(file, '{"serverUrl":"http://x","machineId":"m","machineKey":dfk_Vq3m9Zk2x}');

    const error = (await loadConfig(file).then(
      () => new Error('loaded'),
      (e: unknown) => e,
    )) as Error;

    expect(error).toMatchObject({ code: 'AGENT_CONFIG_INVALID' });
    expect(`${error.message} ${String(error.cause)}`).not.toContain('Vq3m9Z');
  });

  it('rejects a config without a machine key', async () => {
    const file = path.join(root, 'agent.json');
    await writeFile(file, JSON.stringify({ serverUrl: 'http://x', machineId: 'm' }));

    await expect(loadConfig(file)).rejects.toMatchObject({ code: 'AGENT_CONFIG_INVALID' });
  });
});

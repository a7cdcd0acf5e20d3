import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { Host } from '@devfleet/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectWindows } from '../src/collectors/windows.js';

const posix = process.platform !== 'win32';
const context = { timeoutMs: 4000, debug: () => undefined };

// What wsl.exe 2.3 prints, in the UTF-16LE with CRLF that it writes to a pipe.
const WSL_VERSION = [
  'WSL version: 2.3.26.0',
  'Kernel version: 5.15.167.4-1',
  'WSLg version: 1.0.65',
  'MSRDC version: 1.2.5620',
  'Direct3D version: 1.611.1-81528511',
  'DXCore version: 10.0.26100.1-240331-1435.ge-release',
  'Windows version: 10.0.22631.4460',
];
const WSL_LIST = [
  '  NAME              STATE           VERSION',
  '* Ubuntu-22.04      Running         2',
  '  docker-desktop    Stopped         2',
];
const utf16 = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le');

const wslHost = (interop: boolean): Host => ({
  hostname: 'laptop',
  platform: 'linux',
  osName: 'Ubuntu 22.04.5 LTS',
  release: '5.15.167.4-microsoft-standard-WSL2',
  arch: 'x64',
  cpus: 8,
  memoryBytes: 16 * 1024 ** 3,
  user: 'devuser',
  wsl: { distro: 'Ubuntu-22.04', version: 2, interop },
});

/**
 * Plays Windows for a WSL distro with interop: fake wsl.exe, cmd.exe and wslpath on PATH, and
 * a Windows profile folder in a temp dir.
 */
describe.skipIf(!posix)('collectWindows from inside WSL', () => {
  let root: string;
  let savedPath: string | undefined;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'devfleet-windows-'));
    const bin = path.join(root, 'bin');
    const profile = path.join(root, 'devuser');
    await mkdir(bin);
    await mkdir(path.join(profile, 'AppData', 'Roaming', 'Docker'), { recursive: true });

    await writeFile(path.join(root, 'version.out'), utf16(WSL_VERSION));
    await writeFile(path.join(root, 'list.out'), utf16(WSL_LIST));
    await writeFile(path.join(profile, '.wslconfig'), '[wsl2]\r\nmemory=8GB\r\nprocessors=4\r\n');
    await writeFile(
      path.join(profile, 'AppData', 'Roaming', 'Docker', 'settings-store.json'),
      JSON.stringify({ MemoryMiB: 8192, Cpus: 4, WslEngineEnabled: true }),
    );

    await script(
      bin,
      'wsl.exe',
      `case "$1" in --version) cat ${root}/version.out;; -l) cat ${root}/list.out;; esac`,
    );
    await script(bin, 'cmd.exe', 'echo "C:\\Users\\devuser|C:\\Users\\devuser\\AppData\\Roaming"');
    await script(
      bin,
      'wslpath',
      `case "$2" in *Roaming) echo ${profile}/AppData/Roaming;; *) echo ${profile};; esac`,
    );

    savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`;
  });

  afterAll(async () => {
    process.env.PATH = savedPath;
    await rm(root, { recursive: true, force: true });
  });

  it('reads wsl.exe output, .wslconfig and Docker Desktop settings through interop', async () => {
    const facts = await collectWindows(context, wslHost(true));

    expect(facts.wsl).toMatchObject({
      version: '2.3.26.0',
      kernelVersion: '5.15.167.4-1',
      windowsVersion: '10.0.22631.4460',
      defaultDistro: 'Ubuntu-22.04',
      distros: [
        { name: 'Ubuntu-22.04', state: 'Running', version: 2, isDefault: true },
        { name: 'docker-desktop', state: 'Stopped', version: 2, isDefault: false },
      ],
    });
    expect(facts.wsl?.config).toContainEqual(
      expect.objectContaining({ section: 'wsl2', key: 'memory', bytes: 8 * 1024 ** 3 }),
    );
    expect(facts.desktopSettings).toMatchObject({
      memoryMiB: 8192,
      cpus: 4,
      wslEngineEnabled: true,
    });
  });

  it('leaves the Windows side alone without interop', async () => {
    const facts = await collectWindows(context, wslHost(false));

    expect(facts).toEqual({ wsl: null, desktopSettings: null, problems: [] });
  });
});

async function script(dir: string, name: string, body: string): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
}

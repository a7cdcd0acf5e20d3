import { describe, expect, it } from 'vitest';

import { backendOf, parseDockerInfo } from '../../src/parsers/docker-info.js';
import { loadFixture } from './load-fixture.js';

const parse = (name: string) => parseDockerInfo(loadFixture(name));

describe('parseDockerInfo, text form', () => {
  it('reads the WSL2 backend, 32 CPUs, 15.5 GiB and the four blkio warnings', () => {
    const { value } = parse('45-docker-info-win-wsl2-dd-blkio-warnings-cmder.txt');

    expect(value.engine).toMatchObject({
      serverVersion: '20.10.22',
      operatingSystem: 'Docker Desktop',
      kernelVersion: '5.15.90.1-microsoft-standard-WSL2',
      backend: 'wsl2',
      cpus: 32,
      storageDriver: 'overlay2',
      cgroupVersion: '1',
      name: 'docker-desktop',
    });
    expect(value.engine?.memoryBytes).toBe(Math.round(15.5 * 2 ** 30));
    expect(value.dockerWarnings).toHaveLength(4);
    expect(value.dockerWarnings[0]).toBe('WARNING: No blkio throttle.read_bps_device support');
    expect(value.context).toBe('default');
    expect(value.daemon).toEqual({ state: 'running', error: null });
  });

  it('reads old "name: Desc (Vendor, vX)" plugin lines, versions with or without v', () => {
    const { value } = parse('45-docker-info-win-wsl2-dd-blkio-warnings-cmder.txt');

    expect(value.plugins).toContainEqual({ name: 'buildx', version: 'v0.10.0' });
    expect(value.plugins).toContainEqual({ name: 'compose', version: 'v2.15.1' });
    expect(value.plugins).toContainEqual({ name: 'sbom', version: '0.6.0' });
    expect(value.plugins).toHaveLength(6);
  });

  it('reads Desktop for Linux: linuxkit, containerd snapshotter, plugins with Version lines', () => {
    const { value } = parse('46-docker-info-linux-docker-desktop-containerd-snapshotter.txt');

    expect(value.engine).toMatchObject({
      serverVersion: '29.4.1',
      backend: 'linuxkit',
      storageDriver: 'overlayfs',
      cgroupVersion: '2',
      cpus: 12,
    });
    expect(value.engine?.memoryBytes).toBe(Math.round(3.658 * 2 ** 30));
    expect(value.context).toBe('desktop-linux');
    expect(value.plugins).toHaveLength(15);
    expect(value.plugins).toContainEqual({ name: 'compose', version: 'v5.1.3' });
    expect(value.plugins).toContainEqual({ name: 'sandbox', version: 'v0.12.0' });
  });

  it('reads the legacy layout without sections: a native Raspbian engine and six warnings', () => {
    const { value } = parse('49-docker-info-linux-raspbian-legacy-format-warnings.txt');

    expect(value.engine).toMatchObject({
      serverVersion: '17.12.0-ce',
      operatingSystem: 'Raspbian GNU/Linux 9 (stretch)',
      backend: 'native',
      architecture: 'armv7l',
      cpus: 4,
      cgroupVersion: null,
    });
    expect(value.engine?.memoryBytes).toBe(Math.round(927.3 * 2 ** 20));
    expect(value.plugins).toEqual([]);
    expect(value.dockerWarnings).toHaveLength(6);
  });

  it('reads "Server:" followed by ERROR as a daemon that is down', () => {
    const { value } = parse('67-docker-info-mac-daemon-down-errors-pretty-printing.txt');

    expect(value.engine).toBeNull();
    expect(value.context).toBe('default');
    expect(value.daemon.state).toBe('unreachable');
    expect(value.daemon.error).toMatch(/^Cannot connect to the Docker daemon/);
  });

  it('reads debug mode, 1 cgroup version and 11 plugins, then stops at the docker version', () => {
    const { value, warnings } = parse(
      '77-docker-info-mac-intel-debug-mode-registry-mirrors-then-version.txt',
    );

    expect(value.engine).toMatchObject({
      serverVersion: '28.5.1',
      kernelVersion: '6.10.14-linuxkit',
      backend: 'linuxkit',
      cgroupVersion: '1',
      cpus: 12,
    });
    expect(value.plugins).toHaveLength(11);
    expect(warnings.join()).toMatch(/second output/);
  });
});

describe('parseDockerInfo, JSON form', () => {
  it('keeps what a cut-off json_pp paste shows: a live arm64 daemon and two plugins', () => {
    const { value, warnings } = parse('50-docker-info-json-mac-arm-jsonpp-sorted-keys.txt');

    expect(value.daemon.state).toBe('running');
    expect(value.engine).toMatchObject({ architecture: 'aarch64', cgroupVersion: '2' });
    expect(value.context).toBe('desktop-linux');
    expect(value.plugins.slice(0, 2)).toEqual([
      { name: 'buildx', version: 'v0.16.2-desktop.1' },
      { name: 'compose', version: 'v2.29.2-desktop.2' },
    ]);
    expect(warnings.join()).toMatch(/cut off/);
  });

  it('reads the hand-redacted JSON after the literal "json" of an old CLI', () => {
    const { value } = parse('52-docker-info-json-old-cli-prints-literal-json-hand-redacted.txt');

    expect(value.engine).toMatchObject({
      serverVersion: '25.0.3',
      cpus: 8,
      memoryBytes: 8222334976,
      kernelVersion: '6.6.12-linuxkit',
      backend: 'linuxkit',
    });
    expect(value.plugins[0]).toEqual({ name: 'buildx', version: 'v0.12.1-desktop.4' });
  });

  it('decides "down" from the empty ServerVersion even though the command exited 0', () => {
    const { value } = parse('53-docker-info-json-all-empty-daemon-unreachable.txt');

    expect(value.engine).toBeNull();
    expect(value.daemon.state).toBe('unreachable');
  });

  it('takes the error from ServerErrors', () => {
    const text = JSON.stringify({
      ServerVersion: '',
      ServerErrors: ['Cannot connect to the Docker daemon at unix:///var/run/docker.sock.'],
      ClientInfo: { Context: 'desktop-linux', Plugins: [{ Name: 'compose', Version: 'v2.30.0' }] },
    });
    const { value } = parseDockerInfo(text);

    expect(value.daemon).toEqual({
      state: 'unreachable',
      error: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.',
    });
    expect(value.plugins).toEqual([{ name: 'compose', version: 'v2.30.0' }]);
  });
});

describe('backendOf', () => {
  it.each([
    ['5.15.90.1-microsoft-standard-WSL2', 'linux', 'wsl2'],
    ['4.19.128-microsoft-standard', 'linux', 'wsl2'],
    ['6.10.14-linuxkit', 'linux', 'linuxkit'],
    ['6.8.0-45-generic', 'linux', 'native'],
    [null, null, 'unknown'],
  ] as const)('names %s a %s backend', (kernel, osType, backend) => {
    expect(backendOf(kernel, osType)).toBe(backend);
  });
});

import { describe, expect, it } from 'vitest';

import { parseDockerVersion } from '../../src/parsers/docker-version.js';
import { loadFixture } from './load-fixture.js';

const parse = (name: string) => parseDockerVersion(loadFixture(name));

describe('parseDockerVersion, text form', () => {
  it('reads Docker Desktop 4.25.2 (129061) and keeps the engine version "master" as is', () => {
    const { value, warnings } = parse('01-docker-version-win-dd4.25.2-engine-master.txt');

    expect(value.desktop).toEqual({ version: '4.25.2', build: '129061' });
    expect(value.server?.version).toBe('master');
    expect(value.engineIsRelease).toBe(false);
    expect(value.client).toMatchObject({ version: '24.0.6', os: 'windows', arch: 'amd64' });
    expect(value.server?.minApiVersion).toBe('1.12');
    expect(value.server?.components).toContainEqual({ name: 'containerd', version: '1.6.22' });
    expect(value.daemon).toEqual({ state: 'running', error: null });
    expect(warnings.join()).toMatch(/master/);
  });

  it('reports a 500 from a starting Docker Desktop on macOS as unreachable, with the error', () => {
    const { value } = parse('02-docker-version-mac-intel-dd4.47.0-daemon-500.txt');

    expect(value.server).toBeNull();
    expect(value.desktop).toBeNull();
    expect(value.client).toMatchObject({
      version: '28.4.0',
      os: 'darwin',
      context: 'desktop-linux',
    });
    expect(value.daemon.state).toBe('unreachable');
    expect(value.daemon.error).toMatch(/^request returned 500 Internal Server Error/);
  });

  it('keeps the desktop-windows context of a Windows-containers client whose daemon is down', () => {
    const { value } = parse('03-docker-version-win-desktop-windows-context-500.txt');

    expect(value.client?.context).toBe('desktop-windows');
    expect(value.client?.version).toBe('29.5.3');
    expect(value.daemon.error).toMatch(/dockerDesktopWindowsEngine/);
  });

  it.each([
    ['04-docker-version-win-dd4.28.0.txt', '4.28.0', '139021', '25.0.3', 'windows'],
    [
      '06-docker-version-win-dd4.9.0-unfenced-bold-headers.txt',
      '4.9.0',
      '80466',
      '20.10.16',
      'windows',
    ],
    ['08-docker-version-linux-arm64-dd4.43.2.txt', '4.43.2', '199162', '28.3.2', 'linux'],
    ['10-docker-version-win-dd4.34.1.txt', '4.34.1', '166053', '27.2.0', 'windows'],
    ['13-docker-version-mac-arm-dd4.24.0.txt', '4.24.0', '122432', '24.0.6', 'darwin'],
  ])('reads %s as Desktop %s build %s, engine %s', (name, desktop, build, engine, clientOs) => {
    const { value } = parse(name);

    expect(value.desktop).toEqual({ version: desktop, build });
    expect(value.server?.version).toBe(engine);
    expect(value.server?.os).toBe('linux');
    expect(value.client?.os).toBe(clientOs);
    expect(value.engineIsRelease).toBe(true);
    expect(value.daemon.state).toBe('running');
  });

  it('reads only the docker version part when docker info follows under a bold heading', () => {
    const { value, warnings } = parse('06-docker-version-win-dd4.9.0-unfenced-bold-headers.txt');

    expect(value.client?.context).toBe('default');
    expect(value.server?.components.map((item) => item.name)).toEqual([
      'Engine',
      'containerd',
      'runc',
      'docker-init',
    ]);
    expect(warnings.join()).toMatch(/second output/);
  });

  it('reads a newer distro client (28.5.1) against an older Desktop engine (28.3.2) on arm64', () => {
    const { value } = parse('08-docker-version-linux-arm64-dd4.43.2.txt');

    expect(value.client).toMatchObject({ version: '28.5.1', arch: 'arm64' });
    expect(value.server?.arch).toBe('arm64');
    expect(value.server?.apiVersion).toBe('1.51');
  });

  it('warns when the server says "Docker Desktop" without a version (run inside a distro)', () => {
    const { value, warnings } = parse('09-docker-version-from-wsl-distro-server-no-dd-version.txt');

    expect(value.desktop).toBeNull();
    expect(value.server?.platformName).toBe('Docker Desktop');
    expect(value.client?.os).toBe('linux');
    expect(value.daemon.state).toBe('running');
    expect(warnings.join()).toMatch(/names no version/);
  });

  it('reads client fields pasted without a Client: header, then the named-pipe error', () => {
    const { value } = parse('12-docker-version-win-18.09-daemon-down-in-template.txt');

    expect(value.client).toMatchObject({ version: '18.09.2', apiVersion: '1.39', os: 'windows' });
    expect(value.client?.context).toBeNull();
    expect(value.daemon.state).toBe('unreachable');
    expect(value.daemon.error).toMatch(/^error during connect: .*docker_engine/);
  });

  it('keeps a pseudo-version engine and treats it as no release', () => {
    const { value } = parse('62-docker-version-linux-engine-empty-built-field.txt');

    expect(value.server?.version).toBe('0.0.0-20180822222038-652321bfa3');
    expect(value.server?.platformName).toBe('Docker Engine - Community');
    expect(value.desktop).toBeNull();
    expect(value.engineIsRelease).toBe(false);
    expect(value.client?.version).toBe('18.09.0-ee-1-tp3');
  });

  it.each([
    ['20.10.24+dfsg1', true],
    ['26.1.5+dfsg1', true],
    ['24.0.7-0ubuntu2~22.04.1', true],
    ['27.5.1-1', true],
    ['17.12.0-ce', true],
    ['18.09.1-ee', true],
    ['28.5.1', true],
    ['master', false],
    ['dev', false],
    ['25.0.0-rc.1', false],
    ['24.0.0-beta.2', false],
    ['18.09.0-ee-1-tp3', false],
    ['0.0.0-20180822222038-652321bfa3', false],
  ])('takes engine version %s as a release: %s', (version, release) => {
    const output = `Server: Docker Engine - Community\n Engine:\n  Version:          ${version}\n`;
    const { value, warnings } = parseDockerVersion(output);

    expect(value.server?.version).toBe(version);
    expect(value.engineIsRelease).toBe(release);
    expect(warnings.some((warning) => warning.includes('not a release number'))).toBe(!release);
  });

  it.each([
    ['66-docker-version-mac-arm-context-default-daemon-down.txt', '26.1.4', 'default'],
    ['68-docker-version-wsl-distro-old-cli-daemon-down.txt', '18.09.6', null],
  ])('reads %s: client %s, "Cannot connect" as unreachable', (name, version, context) => {
    const { value } = parse(name);

    expect(value.client?.version).toBe(version);
    expect(value.client?.context).toBe(context);
    expect(value.daemon.state).toBe('unreachable');
    expect(value.daemon.error).toBe(
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    );
  });

  it('reads the pipe-not-found error of a desktop-windows context on Desktop 4.37.1', () => {
    const { value } = parse('73-docker-version-win-desktop-windows-pipe-not-found-4.37.1.txt');

    expect(value.client).toMatchObject({ version: '27.4.0', context: 'desktop-windows' });
    expect(value.daemon.error).toMatch(/cannot find the file specified/);
  });

  it('warns that an elided server part may be cut off rather than inventing an error', () => {
    const { value, warnings } = parse('57-compose-version-docker-version-elided-dd-linux.txt');

    expect(value.client?.version).toBe('28.4.0');
    expect(value.daemon.error).toBeNull();
    expect(warnings.join()).toMatch(/cut off/);
  });

  it('says not-installed when the shell cannot find docker', () => {
    const { value } = parseDockerVersion(
      "'docker' is not recognized as an internal or external command,",
    );
    expect(value.daemon.state).toBe('not-installed');
  });
});

describe('parseDockerVersion, JSON form', () => {
  it('reads Desktop 4.49.0 (208700) and the linuxkit kernel from Server.Platform.Name', () => {
    const { value, warnings } = parse('79-docker-version-json-mac-dd4.49.0-test-fixture.txt');

    expect(value.desktop).toEqual({ version: '4.49.0', build: '208700' });
    expect(value.server).toMatchObject({
      version: '28.5.1',
      minApiVersion: '1.24',
      kernelVersion: '6.10.14-linuxkit',
      components: [{ name: 'Engine', version: '28.5.1' }],
    });
    expect(value.client).toMatchObject({ os: 'darwin', arch: 'arm64', context: 'desktop-linux' });
    expect(warnings).toEqual([]);
  });

  it('reads "Server": null as an unreachable daemon and says the other documents were skipped', () => {
    const { value, warnings } = parse(
      '80-docker-version-json-server-null-daemon-down-fixtures.txt',
    );

    expect(value.server).toBeNull();
    expect(value.client).toMatchObject({ version: '29.3.1', context: 'default' });
    expect(value.daemon.state).toBe('unreachable');
    expect(warnings.join()).toMatch(/2 more JSON/);
  });

  it('reads each of the three JSON lines on its own: Desktop 4.36.0 and a Podman engine', () => {
    const [, desktop, podman] = loadFixture(
      '80-docker-version-json-server-null-daemon-down-fixtures.txt',
    ).split('\n');

    expect(parseDockerVersion(desktop ?? '').value.desktop).toEqual({
      version: '4.36.0',
      build: '175267',
    });
    const other = parseDockerVersion(podman ?? '');
    expect(other.value.daemon.state).toBe('running');
    expect(other.warnings.join()).toMatch(/Podman/);
  });
});

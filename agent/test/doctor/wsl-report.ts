import { SCHEMA_VERSION, type Report } from '@devfleet/wire';

/**
 * A healthy report from inside Ubuntu on WSL 2 with Docker Desktop, as the agent collects it;
 * tests break one fact at a time.
 */
export function wslReport(): Report {
  return {
    schemaVersion: SCHEMA_VERSION,
    reportId: 'doctor-test-0001',
    collectedAt: '2025-05-01T09:00:00.000Z',
    agentVersion: '0.1.0',
    host: {
      hostname: 'DEVUSER2-LAPTOP',
      platform: 'linux',
      osName: 'Ubuntu 24.04.1 LTS',
      release: '5.15.167.4-microsoft-standard-WSL2',
      arch: 'x64',
      cpus: 16,
      memoryBytes: 32 * 1024 ** 3,
      user: 'devuser2',
      wsl: { distro: 'Ubuntu', version: 2, interop: true },
    },
    docker: {
      daemon: { state: 'running', error: null },
      client: null,
      server: null,
      desktop: { version: '4.38.0', build: '181591' },
      engine: {
        serverVersion: '27.4.0',
        operatingSystem: 'Docker Desktop',
        osType: 'linux',
        kernelVersion: '5.15.167.4-microsoft-standard-WSL2',
        backend: 'wsl2',
        architecture: 'x86_64',
        cpus: 16,
        memoryBytes: 16 * 1024 ** 3,
        storageDriver: 'overlayfs',
        cgroupVersion: '2',
        name: 'docker-desktop',
      },
      plugins: [],
      warnings: [],
    },
    wsl: {
      version: '2.3.26.0',
      kernelVersion: '5.15.167.4-1',
      windowsVersion: '10.0.22631.4460',
      defaultDistro: 'Ubuntu',
      distros: [
        { name: 'Ubuntu', state: 'Running', version: 2, isDefault: true },
        { name: 'docker-desktop', state: 'Running', version: 2, isDefault: false },
      ],
      config: [
        { section: 'wsl2', key: 'memory', value: '8GB', bytes: 8 * 1024 ** 3 },
        {
          section: 'wsl2',
          key: 'kernel',
          value: 'C:\\Users\\DevUser2\\wsl\\bzImage',
          bytes: null,
        },
      ],
    },
    desktopSettings: {
      source: 'settings-store.json',
      memoryMiB: null,
      cpus: null,
      swapMiB: null,
      wslEngineEnabled: true,
      integratedWslDistros: ['Ubuntu'],
      integrationWithDefaultDistro: false,
      fileSharing: null,
      filesharingDirectories: ['/Users', 'C:\\Users\\DevUser2\\src'],
    },
    problems: [],
  };
}

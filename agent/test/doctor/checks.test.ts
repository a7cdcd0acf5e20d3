import type { BenchmarkRun, PhaseResult } from '@devfleet/wire';
import { describe, expect, it } from 'vitest';

import {
  compareVersions,
  mountSlowdown,
  runDoctorChecks,
  type DoctorCheck,
  type DoctorFacts,
} from '../../src/doctor/checks.js';
import { MIN_DESKTOP_VERSION } from '../../src/doctor/thresholds.js';
import { wslReport } from './wsl-report.js';

function facts(change: (f: DoctorFacts) => void = () => undefined): DoctorFacts {
  const f: DoctorFacts = {
    report: wslReport(),
    project: {
      path: '/home/devuser2/src/shop',
      pathKind: 'wsl-ext4',
      buildsWithDocker: true,
      hasDockerignore: true,
    },
    mount: null,
    minDesktopVersion: MIN_DESKTOP_VERSION,
  };
  change(f);
  return f;
}

function check(rule: string, f: DoctorFacts): DoctorCheck {
  const found = runDoctorChecks(f).find((c) => c.rule === rule);
  if (!found) throw new Error(`no check ${rule}`);
  return found;
}

function phase(location: string, name: string, medianMs: number): PhaseResult {
  return { location, phase: name, samplesMs: [medianMs], medianMs, spreadMs: 0 };
}

function mountRun(results: PhaseResult[]): BenchmarkRun {
  return {
    kind: 'mount',
    status: 'ok',
    reason: null,
    startedAt: '2025-05-01T09:00:00.000Z',
    durationMs: 1000,
    quick: true,
    repetitions: 2,
    image: 'debian:bookworm-slim',
    imageDigest: null,
    engineVersion: '27.4.0',
    desktopVersion: '4.38.0',
    mountType: null,
    pathKind: 'windows-drive-via-wsl',
    hostPath: '/mnt/c/src/shop',
    results,
  };
}

describe('doctor checks', () => {
  it('passes every check on a healthy WSL 2 machine with a project in the distribution', () => {
    const checks = runDoctorChecks(facts());

    expect(checks.filter((c) => c.result === 'fail')).toEqual([]);
    expect(checks.map((c) => c.rule)).toEqual([
      'daemon',
      'desktopMinimum',
      'wslBackend',
      'wslIntegration',
      'memory',
      'projectLocation',
      'dockerignore',
    ]);
  });

  it('fails WSL memory below 4 GiB and says how to raise it', () => {
    const result = check(
      'memory',
      facts((f) => {
        f.report.wsl!.config[0] = {
          section: 'wsl2',
          key: 'memory',
          value: '2GB',
          bytes: 2 * 1024 ** 3,
        };
      }),
    );

    expect(result.result).toBe('fail');
    expect(result.reason).toContain('only 2 GiB');
    expect(result.fix).toMatch(/memory=8GB under \[wsl2\].*wsl --shutdown/);
  });

  it('ignores a memory key outside [wsl2], as WSL does', () => {
    const result = check(
      'memory',
      facts((f) => {
        f.report.wsl!.config = [
          { section: 'wsl', key: 'memory', value: '2GB', bytes: 2 * 1024 ** 3 },
        ];
      }),
    );

    expect(result.result).toBe('pass');
  });

  it('fails Docker Desktop memory below 4 GiB on the Hyper-V or macOS engine', () => {
    const result = check(
      'memory',
      facts((f) => {
        f.report.host = { ...f.report.host, platform: 'darwin', wsl: null };
        f.report.wsl = null;
        f.report.docker.engine!.backend = 'linuxkit';
        f.report.desktopSettings!.memoryMiB = 2048;
      }),
    );

    expect(result.result).toBe('fail');
    expect(result.fix).toContain('Settings → Resources → Memory');
  });

  it('fails a project on /mnt/c and tells the measured cost when doctor --measure ran', () => {
    const onDrive = facts((f) => {
      f.project.path = '/mnt/c/src/shop';
      f.project.pathKind = 'windows-drive-via-wsl';
    });
    const measured = facts((f) => {
      f.project.path = '/mnt/c/src/shop';
      f.project.pathKind = 'windows-drive-via-wsl';
      f.mount = mountRun([
        phase('bind', 'create', 900),
        phase('volume', 'create', 100),
        phase('bind', 'read', 300),
        phase('volume', 'read', 100),
        phase('native', 'read', 50),
      ]);
    });

    expect(check('projectLocation', onDrive).reason).toContain('doctor --measure');
    const result = check('projectLocation', measured);
    expect(result.result).toBe('fail');
    expect(result.reason).toContain('6.0× slower than in a Docker volume');
    expect(result.fix).toContain('~/src');
  });

  it('fails when WSL integration is off for the distribution in use', () => {
    const result = check(
      'wslIntegration',
      facts((f) => {
        f.report.desktopSettings!.integratedWslDistros = ['Debian'];
      }),
    );

    expect(result.result).toBe('fail');
    expect(result.reason).toContain('off for Ubuntu');
    expect(result.fix).toContain('Resources → WSL integration → turn on Ubuntu');
  });

  it('counts integration with the default distribution only for the default one', () => {
    const viaDefault = facts((f) => {
      f.report.desktopSettings!.integratedWslDistros = [];
      f.report.desktopSettings!.integrationWithDefaultDistro = true;
    });
    const otherDistro = facts((f) => {
      f.report.desktopSettings!.integratedWslDistros = [];
      f.report.desktopSettings!.integrationWithDefaultDistro = true;
      f.report.wsl!.defaultDistro = 'Debian';
    });

    expect(check('wslIntegration', viaDefault).result).toBe('pass');
    expect(check('wslIntegration', otherDistro).result).toBe('fail');
  });

  it('fails Docker Desktop older than the minimum, and takes the minimum it is given', () => {
    const old = facts((f) => (f.report.docker.desktop = { version: '4.9.1', build: null }));

    expect(check('desktopMinimum', old).result).toBe('fail');
    expect(check('desktopMinimum', old).fix).toContain('Software updates');
    expect(check('desktopMinimum', { ...old, minDesktopVersion: '4.9.0' }).result).toBe('pass');
  });

  it('fails an unreachable daemon with the error and how to start it', () => {
    const result = check(
      'daemon',
      facts((f) => {
        f.report.docker.daemon = {
          state: 'unreachable',
          error: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock\nmore',
        };
      }),
    );

    expect(result.result).toBe('fail');
    expect(result.reason).toContain('Cannot connect to the Docker daemon');
    expect(result.reason).not.toContain('more');
    expect(result.fix).toContain('Start Docker Desktop');
  });

  it('fails a Docker project without .dockerignore and skips a folder without a Dockerfile', () => {
    const missing = facts((f) => (f.project.hasDockerignore = false));
    const noDocker = facts((f) => {
      f.project.hasDockerignore = false;
      f.project.buildsWithDocker = false;
    });

    expect(check('dockerignore', missing).result).toBe('fail');
    expect(check('dockerignore', missing).fix).toContain('.git, node_modules');
    expect(check('dockerignore', noDocker).result).toBe('skip');
  });

  it('fails Docker Desktop on Hyper-V', () => {
    const result = check(
      'wslBackend',
      facts((f) => (f.report.desktopSettings!.wslEngineEnabled = false)),
    );

    expect(result.result).toBe('fail');
    expect(result.fix).toContain('Use the WSL 2 based engine');
  });
});

describe('compareVersions', () => {
  it('compares dotted versions as numbers', () => {
    expect(compareVersions('4.9.0', '4.34.0')).toBeLessThan(0);
    expect(compareVersions('4.34.0', '4.34')).toBe(0);
    expect(compareVersions('4.40.1', '4.34.0')).toBeGreaterThan(0);
  });
});

describe('mountSlowdown', () => {
  it('is null for a failed run', () => {
    expect(mountSlowdown({ ...mountRun([]), status: 'failed' })).toBeNull();
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { Environment } from '@devfleet/wire';
import { describe, expect, it } from 'vitest';

import {
  defaultHealthRules,
  loadHealthRules,
  parseHealthRules,
  RulesFileError,
} from '../../src/health/rules-config.js';
import {
  compareVersions,
  evaluateHealth,
  healthStatus,
  type HealthFacts,
} from '../../src/health/rules.js';

const GIB = 1024 ** 3;
const NOW = Date.parse('2026-06-01T12:00:00Z');

function windows(overrides: Partial<Environment> = {}): Environment {
  return {
    reportId: 'r1',
    collectedAt: new Date(NOW - 3600_000).toISOString(),
    receivedAt: new Date(NOW - 3600_000).toISOString(),
    lastCollectedAt: new Date(NOW - 3600_000).toISOString(),
    hostname: 'devbox',
    user: 'dev',
    platform: 'win32',
    osName: 'Windows 11 Pro',
    osRelease: '10.0.22631',
    arch: 'x64',
    cpus: 12,
    memoryBytes: 32 * GIB,
    daemonState: 'running',
    daemonError: null,
    desktopVersion: '4.37.1',
    desktopBuild: '178610',
    engineVersion: '27.4.0',
    clientVersion: '27.4.0',
    dockerContext: 'desktop-linux',
    engineOsType: 'linux',
    engineKernel: '5.15.167.4-microsoft-standard-WSL2',
    backend: 'wsl2',
    engineCpus: 12,
    engineMemoryBytes: 16 * GIB,
    storageDriver: 'overlayfs',
    wslVersion: '2.3.26.0',
    wslKernel: '5.15.167.4-1',
    windowsVersion: '10.0.22631.4602',
    wslDistro: 'Ubuntu',
    wslMemoryBytes: 8 * GIB,
    wslProcessors: null,
    desktopMemoryMiB: null,
    desktopCpus: null,
    fileSharing: null,
    projectPathKind: 'wsl-ext4',
    ...overrides,
  };
}

function facts(env: Environment | null, overrides: Partial<HealthFacts> = {}): HealthFacts {
  return {
    enrolledAt: NOW - 30 * 24 * 3600_000,
    environment: env,
    known: {
      'desktop.wslEngineEnabled': 'true',
      'desktop.integratedWslDistros': 'Ubuntu',
      'desktop.integrationWithDefaultDistro': 'true',
    },
    latestCollectedAt: env ? Date.parse(env.collectedAt) : null,
    openAlerts: [],
    mountSlowdown: null,
    ...overrides,
  };
}

const rules = defaultHealthRules();
const failing = (f: HealthFacts) =>
  evaluateHealth(f, rules, NOW)
    .filter((x) => x.result === 'fail')
    .map((x) => x.rule);

describe('health rules', () => {
  it('passes a well-set-up Windows machine on every rule', () => {
    const findings = evaluateHealth(facts(windows()), rules, NOW);
    expect(findings.filter((f) => f.result === 'fail')).toEqual([]);
    expect(healthStatus(findings)).toBe('green');
  });

  it('fails an old Docker Desktop red, naming the minimum', () => {
    const findings = evaluateHealth(facts(windows({ desktopVersion: '4.28.0' })), rules, NOW);
    const finding = findings.find((f) => f.rule === 'desktopMinimum');
    expect(finding?.result).toBe('fail');
    expect(finding?.reason).toContain('4.28.0 is older than the team minimum 4.34.0');
    expect(healthStatus(findings)).toBe('red');
  });

  it('fails WSL memory under 4 GiB amber with the .wslconfig fix', () => {
    const findings = evaluateHealth(facts(windows({ wslMemoryBytes: 3 * GIB })), rules, NOW);
    expect(findings[0]).toMatchObject({ rule: 'memory', result: 'fail', severity: 'amber' });
    expect(findings[0]?.reason).toContain('only 3 GiB');
    expect(healthStatus(findings)).toBe('amber');
  });

  it('fails Desktop memory under 4 GiB on a Mac', () => {
    const mac = windows({
      platform: 'darwin',
      windowsVersion: null,
      wslVersion: null,
      wslDistro: null,
      wslMemoryBytes: null,
      backend: 'linuxkit',
      desktopMemoryMiB: 2048,
      projectPathKind: 'macos-host',
    });
    expect(failing(facts(mac))).toEqual(['memory']);
  });

  it('reports the measured slowdown of a project on /mnt/c', () => {
    const env = windows({ projectPathKind: 'windows-drive-via-wsl' });
    const finding = evaluateHealth(facts(env, { mountSlowdown: 7.4 }), rules, NOW)[0];
    expect(finding?.rule).toBe('projectLocation');
    expect(finding?.reason).toContain('/mnt/c');
    expect(finding?.reason).toContain('7.4× slower than in a volume');
  });

  it('fails the WSL 2 engine turned off and integration off for the distro in use', () => {
    const known = {
      'desktop.wslEngineEnabled': 'false',
      'desktop.integratedWslDistros': '',
      'desktop.integrationWithDefaultDistro': 'false',
    };
    expect(failing(facts(windows({ wslDistro: 'Ubuntu-22.04' }), { known }))).toEqual([
      'wslBackend',
      'wslIntegration',
    ]);
  });

  it('marks a machine stale after the configured hours and one never reported', () => {
    const old = windows({ collectedAt: new Date(NOW - 5 * 24 * 3600_000).toISOString() });
    const stale = evaluateHealth(facts(old), rules, NOW).find((f) => f.rule === 'stale');
    expect(stale?.reason).toContain('No report for 5 days');

    const never = evaluateHealth(facts(null), rules, NOW).find((f) => f.rule === 'stale');
    expect(never?.result).toBe('fail');
    expect(never?.reason).toContain('never reported');
  });

  it('fails red when the daemon was unreachable, and amber on an open regression', () => {
    const down = windows({ daemonState: 'unreachable', daemonError: 'pipe not found' });
    expect(healthStatus(evaluateHealth(facts(down), rules, NOW))).toBe('red');

    const alerts = [{ title: 'bench.build.mount.cold 39% slower', status: 'open' }];
    const findings = evaluateHealth(facts(windows(), { openAlerts: alerts }), rules, NOW);
    expect(findings[0]?.reason).toBe('Open regression: bench.build.mount.cold 39% slower.');
  });

  it('skips the rules that do not apply to a Linux machine without Docker Desktop', () => {
    const linux = windows({
      platform: 'linux',
      windowsVersion: null,
      wslVersion: null,
      wslDistro: null,
      wslMemoryBytes: null,
      desktopVersion: null,
      backend: 'native',
      projectPathKind: 'linux',
    });
    const skipped = evaluateHealth(facts(linux, { known: {} }), rules, NOW)
      .filter((f) => f.result === 'skip')
      .map((f) => f.rule);
    expect(skipped).toEqual(['desktopMinimum', 'wslBackend', 'wslIntegration', 'memory']);
  });

  it('compares versions by their numeric parts', () => {
    expect(compareVersions('4.9.0', '4.34.0')).toBeLessThan(0);
    expect(compareVersions('4.37.1', '4.37')).toBeGreaterThan(0);
    expect(compareVersions('4.34.0', '4.34.0')).toBe(0);
  });
});

describe('rules file', () => {
  it('keeps the defaults for what a file leaves out', () => {
    const parsed = parseHealthRules({ stale: { hours: 12 }, memory: { enabled: false } });
    expect(parsed.stale).toEqual({ enabled: true, severity: 'amber', hours: 12 });
    expect(parsed.memory.enabled).toBe(false);
    expect(parsed.desktopMinimum.version).toBe('4.34.0');
  });

  it('reads YAML with comments from the file DEVFLEET_RULES names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-rules-'));
    const file = path.join(dir, 'rules.yaml');
    fs.writeFileSync(file, '# team rules\ndesktopMinimum:\n  version: "4.36.0" # since June\n');
    try {
      expect(loadHealthRules(file).desktopMinimum.version).toBe('4.36.0');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown key or a bad threshold with its path', () => {
    expect(() => parseHealthRules({ stale: { hour: 12 } })).toThrow(RulesFileError);
    expect(() => parseHealthRules({ desktopMinimum: { version: 'latest' } })).toThrow(
      /desktopMinimum\/version/,
    );
    expect(() => loadHealthRules('/nonexistent/rules.yaml')).toThrow(/cannot read/);
  });

  it('says each problem once, naming the values a choice takes and the unknown keys', () => {
    expect(() =>
      parseHealthRules({ stale: { severity: 'bogus', hour: 12 } }, 'rules.yaml'),
    ).toThrow(
      'rules.yaml is not valid:\n' +
        '  /stale has an unknown key: hour\n' +
        '  /stale/severity must be one of: amber, red',
    );
    expect(() => parseHealthRules({ stale: { hours: -1 } }, 'rules.yaml')).toThrow(
      /^rules\.yaml is not valid: \/stale\/hours must be > 0$/,
    );
  });

  it('says in one line, naming DEVFLEET_RULES, where a file is not YAML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-rules-'));
    const file = path.join(dir, 'rules.yaml');
    fs.writeFileSync(file, 'a: b: c\n');
    try {
      expect(() => loadHealthRules(file)).toThrow(
        new RegExp(`^DEVFLEET_RULES: ${file} is not valid YAML or JSON: .* at line 1, column 4$`),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

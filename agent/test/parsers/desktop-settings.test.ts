import { describe, expect, it } from 'vitest';

import {
  parseDesktopSettings,
  parseDesktopSettingsDetails,
} from '../../src/parsers/desktop-settings.js';
import { loadFixture } from './load-fixture.js';

describe('parseDesktopSettings', () => {
  it('reads legacy camelCase settings escaped inside a backend log line', () => {
    const { value } = parseDesktopSettings(
      loadFixture('32-dd-settings-json-in-backend-log-line.txt'),
      'settings.json',
    );

    expect(value).toEqual({
      source: 'settings.json',
      memoryMiB: 2048,
      cpus: 3,
      swapMiB: 1024,
      wslEngineEnabled: true,
      integratedWslDistros: [],
      integrationWithDefaultDistro: true,
      fileSharing: null,
      filesharingDirectories: [],
    });
  });

  it('reads the PascalCase Go struct dump, nested PlatformSpecificContent included', () => {
    const parsed = parseDesktopSettingsDetails(
      loadFixture('33-dd-settings-go-struct-dump-log.txt'),
      'log',
    );

    expect(parsed.value?.settings).toMatchObject({
      memoryMiB: 2048,
      cpus: 3,
      wslEngineEnabled: true,
    });
    expect(parsed.value?.settingsVersion).toBe(13);
    expect(parsed.value?.diskSizeMiB).toBe(65536);
    expect(parsed.value?.useWindowsContainers).toBe(false);
  });

  it('leaves absent keys null (Desktop defaults) in a near-default settings-store.json', () => {
    const parsed = parseDesktopSettingsDetails(
      loadFixture('92-dd-settings-store-json-default-verbatim.txt'),
      'settings-store.json',
    );

    expect(parsed.value?.settings).toMatchObject({
      source: 'settings-store.json',
      memoryMiB: null,
      cpus: null,
      wslEngineEnabled: null,
    });
    expect(parsed.value?.settingsVersion).toBe(45);
    expect(parsed.value?.useContainerdSnapshotter).toBe(true);
    expect(parsed.warnings.join()).toMatch(/defaults apply: MemoryMiB, Cpus, SwapMiB/);
  });

  it('matches keys case-insensitively and derives VirtioFS file sharing', () => {
    const { value } = parseDesktopSettings(
      '{"MEMORYMIB": 8192, "useVirtualizationFrameworkVirtioFS": true, "UseGrpcfuse": false}',
      'x',
    );

    expect(value?.memoryMiB).toBe(8192);
    expect(value?.fileSharing).toBe('virtiofs');
  });

  it('masks proxy credentials in the raw settings it keeps', () => {
    const parsed = parseDesktopSettingsDetails(
      '{"SettingsVersion": 40, "OverrideProxyHTTP": "http://devuser:hunter2@proxy:3128", "ProxyPassword": "x"}',
      'x',
    );

    expect(JSON.stringify(parsed.value?.raw)).not.toMatch(/hunter2|devuser/);
    expect(parsed.value?.raw.ProxyPassword).toBe('****');
  });

  it('returns null with a warning for text that holds no settings', () => {
    const parsed = parseDesktopSettings('hello', 'x');
    expect(parsed.value).toBeNull();
    expect(parsed.warnings).toContain('no Docker Desktop settings found');
  });
});

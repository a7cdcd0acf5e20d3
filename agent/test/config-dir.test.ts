import { describe, expect, it } from 'vitest';

import { resolveConfigDir } from '../src/config/config-dir.js';

describe('resolveConfigDir', () => {
  it('uses DEVFLEET_AGENT_HOME on every platform when it is set', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      const env = { DEVFLEET_AGENT_HOME: '/srv/agent', XDG_CONFIG_HOME: '/xdg', APPDATA: 'C:\\A' };
      expect(resolveConfigDir({ platform, env, homeDir: '/home/devuser' })).toBe('/srv/agent');
    }
  });

  it('follows XDG_CONFIG_HOME on Linux', () => {
    const env = { XDG_CONFIG_HOME: '/home/devuser/.cfg' };
    expect(resolveConfigDir({ platform: 'linux', env, homeDir: '/home/devuser' })).toBe(
      '/home/devuser/.cfg/devfleet',
    );
  });

  it('falls back to ~/.config on Linux without XDG_CONFIG_HOME', () => {
    expect(resolveConfigDir({ platform: 'linux', env: {}, homeDir: '/home/devuser' })).toBe(
      '/home/devuser/.config/devfleet',
    );
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    const env = { XDG_CONFIG_HOME: 'relative/cfg' };
    expect(resolveConfigDir({ platform: 'linux', env, homeDir: '/home/devuser' })).toBe(
      '/home/devuser/.config/devfleet',
    );
  });

  it('treats other Unixes like Linux', () => {
    expect(resolveConfigDir({ platform: 'freebsd', env: {}, homeDir: '/home/devuser' })).toBe(
      '/home/devuser/.config/devfleet',
    );
  });

  it('uses Application Support on macOS, whatever XDG_CONFIG_HOME says', () => {
    const env = { XDG_CONFIG_HOME: '/Users/devuser/.config' };
    expect(resolveConfigDir({ platform: 'darwin', env, homeDir: '/Users/devuser' })).toBe(
      '/Users/devuser/Library/Application Support/devfleet',
    );
  });

  it('uses %APPDATA% on Windows', () => {
    const env = { APPDATA: 'C:\\Users\\devuser\\AppData\\Roaming' };
    expect(resolveConfigDir({ platform: 'win32', env, homeDir: 'C:\\Users\\devuser' })).toBe(
      'C:\\Users\\devuser\\AppData\\Roaming\\devfleet',
    );
  });

  it('derives the roaming folder from the profile on Windows without APPDATA', () => {
    expect(resolveConfigDir({ platform: 'win32', env: {}, homeDir: 'C:\\Users\\devuser' })).toBe(
      'C:\\Users\\devuser\\AppData\\Roaming\\devfleet',
    );
  });
});

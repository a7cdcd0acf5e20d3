import { describe, expect, it } from 'vitest';

import { macOsName, prettyName } from '../src/collectors/host.js';
import { wslVersionOf } from '../src/collectors/wsl-inside.js';

describe('prettyName', () => {
  it('reads a double-quoted PRETTY_NAME', () => {
    const osRelease = 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
    expect(prettyName(osRelease)).toBe('Debian GNU/Linux 12 (bookworm)');
  });

  it('reads single-quoted and bare values', () => {
    expect(prettyName("PRETTY_NAME='Alpine Linux v3.20'")).toBe('Alpine Linux v3.20');
    expect(prettyName('PRETTY_NAME=Arch')).toBe('Arch');
  });

  it('returns null without PRETTY_NAME', () => {
    expect(prettyName('NAME=Gentoo\nID=gentoo\n')).toBeNull();
  });
});

describe('macOsName', () => {
  it('joins product, version and build from sw_vers', () => {
    const swVers = 'ProductName:\t\tmacOS\nProductVersion:\t\t14.2.1\nBuildVersion:\t\t23C71\n';
    expect(macOsName(swVers)).toBe('macOS 14.2.1 (23C71)');
  });

  it('returns null when sw_vers printed something else', () => {
    expect(macOsName('sw_vers: command failed')).toBeNull();
  });
});

describe('wslVersionOf', () => {
  it('recognizes a current WSL 2 kernel', () => {
    const text = 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc)';
    expect(wslVersionOf(text)).toBe(2);
  });

  it('recognizes the 4.19 WSL 2 kernel that lacked the WSL2 suffix', () => {
    expect(wslVersionOf('Linux version 4.19.128-microsoft-standard (oe-user@oe-host)')).toBe(2);
  });

  it('recognizes WSL 1 by its fake 4.4.0 kernel', () => {
    const text =
      'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0)';
    expect(wslVersionOf(text)).toBe(1);
  });

  it('does not guess for an unknown Microsoft kernel', () => {
    expect(wslVersionOf('Linux version 6.6.0 (microsoft build)')).toBeNull();
  });
});

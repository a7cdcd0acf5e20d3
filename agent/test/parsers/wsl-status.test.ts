import { describe, expect, it } from 'vitest';

import { decodeToString } from '../../src/parsers/decode.js';
import { parseWslStatus } from '../../src/parsers/wsl-status.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

const parse = (name: string) => parseWslStatus(loadFixture(name));

describe('parseWslStatus', () => {
  it('reads the two-line Store WSL status', () => {
    expect(parse('17-wsl-status-minimal-no-kernel.txt').value).toEqual({
      defaultDistro: 'Debian',
      defaultVersion: 2,
      kernelVersion: null,
    });
  });

  it('reads the older long form with the kernel version', () => {
    expect(parse('74-wsl-status-long-format-but-distro-is-wsl1.txt').value).toEqual({
      defaultDistro: 'Ubuntu-20.04',
      defaultVersion: 2,
      kernelVersion: '5.10.102.1',
    });
  });

  it('reads Spanish labels by value shape', () => {
    const { value } = parse('18-wsl-spanish-status-version-list-wsl1-stopped.txt');

    expect(value.defaultDistro).toBe('Ubuntu');
    expect(value.defaultVersion).toBe(2);
  });

  it('finds the default distro among PowerShell indexing lines', () => {
    const { value } = parse('26-wsl-status-utf16-null-chars-powershell.txt');
    expect(value.defaultDistro).toBe('Ubuntu-20.04');
  });

  it('reads raw UTF-16LE without BOM', () => {
    const raw = toUtf16('Default Distribution: Ubuntu-22.04\nDefault Version: 2\n', false);
    expect(parseWslStatus(decodeToString(raw)).value.defaultDistro).toBe('Ubuntu-22.04');
  });
});

import { describe, expect, it } from 'vitest';

import { decodeToString } from '../../src/parsers/decode.js';
import { parseWslList } from '../../src/parsers/wsl-list.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

const parse = (name: string) => parseWslList(loadFixture(name));

describe('parseWslList', () => {
  it('reads a WSL1 default distro next to WSL2 Docker distros', () => {
    const { value } = parse('22-wsl-list-verbose-wsl1-default-ps-prompt.txt');

    expect(value.defaultDistro).toBe('Ubuntu');
    expect(value.distros).toEqual([
      { name: 'Ubuntu', state: 'Stopped', version: 1, isDefault: true },
      { name: 'docker-desktop', state: 'Running', version: 2, isDefault: false },
      { name: 'docker-desktop-data', state: 'Running', version: 2, isDefault: false },
      { name: 'Ubuntu-20.04', state: 'Running', version: 2, isDefault: false },
    ]);
  });

  it('ignores the registry table before the real list', () => {
    const { value } = parse('19-wsl-list-verbose-wsl1-legacy-plus-registry.txt');

    expect(value.distros.map((distro) => `${distro.name}:${distro.version}`)).toEqual([
      'Ubuntu:2',
      'Legacy:1',
      'Ubuntu-18.04:1',
      'docker-desktop:2',
    ]);
    expect(value.defaultDistro).toBe('Ubuntu');
  });

  it('keeps a row cut off before its VERSION and says so', () => {
    const { value, warnings } = parse('18-wsl-spanish-status-version-list-wsl1-stopped.txt');

    expect(value.distros).toEqual([
      { name: 'Ubuntu', state: 'Stopped', version: 1, isDefault: true },
      { name: 'docker-desktop', state: 'Stopped', version: null, isDefault: false },
    ]);
    expect(warnings.join()).toMatch(/docker-desktop: the VERSION column is missing/);
  });

  it('reads the spaced-out letters of UTF-16 shown as text', () => {
    const { value } = parse('24-wsl-list-utf16-spaced-letters.txt');

    expect(value.distros.map((distro) => distro.name)).toEqual(['Ubuntu', 'Legacy', 'Ubuntu-tmp']);
    expect(value.defaultDistro).toBe('Ubuntu');
  });

  it('reads the Japanese default marker of plain wsl -l', () => {
    const { value } = parse('88-wsl-version-and-list-japanese-powershell.txt');

    expect(value.defaultDistro).toBe('Ubuntu-24.04');
    expect(value.distros.map((distro) => distro.name)).toEqual(['Ubuntu-24.04', 'docker-desktop']);
  });

  it('says when no distribution is installed, with the error code', () => {
    const { value } = parse('86-wsl-no-installed-distributions-error.txt');

    expect(value.distros).toEqual([]);
    expect(value.noDistributions).toBe(true);
    expect(value.errorCode).toBe(
      'Wsl/Service/CreateInstance/GetDefaultDistro/WSL_E_DEFAULT_DISTRO_NOT_FOUND',
    );
  });

  it.each([true, false])('reads wsl -l -v as raw UTF-16LE (BOM: %s)', (bom) => {
    const raw = toUtf16(loadFixture('22-wsl-list-verbose-wsl1-default-ps-prompt.txt'), bom);
    const { value } = parseWslList(decodeToString(raw));

    expect(value.distros).toHaveLength(4);
    expect(value.defaultDistro).toBe('Ubuntu');
  });
});

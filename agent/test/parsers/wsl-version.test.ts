import { describe, expect, it } from 'vitest';

import { decodeToString } from '../../src/parsers/decode.js';
import { parseWslVersion } from '../../src/parsers/wsl-version.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

const parse = (name: string) => parseWslVersion(loadFixture(name));

describe('parseWslVersion', () => {
  it.each([
    ['14-wsl-version-german-localized.txt', '1.0.3.0', '5.15.79.1', '10.0.22621.819'],
    ['15-wsl-version-win10-run-from-inside-wsl.txt', '1.2.5.0', '5.15.90.1', '10.0.19045.3393'],
    ['16-wsl-version-0.68-preview-win11-21h2.txt', '0.68.4.0', '5.15.68.1', '10.0.22000.978'],
    [
      '18-wsl-spanish-status-version-list-wsl1-stopped.txt',
      '2.1.5.0',
      '5.15.146.1-2',
      '10.0.19045.4291',
    ],
    [
      '25-wsl-version-utf16-array-capture-extra-lines.txt',
      '1.1.3.0',
      '5.15.90.1',
      '10.0.19044.2604',
    ],
    [
      '63-wsl-version-chinese-fullwidth-colon-cmd.txt',
      '2.0.14.0',
      '5.15.133.1-1',
      '10.0.19045.3803',
    ],
    [
      '88-wsl-version-and-list-japanese-powershell.txt',
      '2.3.24.0',
      '5.15.153.1-2',
      '10.0.22631.4460',
    ],
  ])('reads %s: WSL %s, kernel %s, Windows %s', (name, wsl, kernel, windows) => {
    const { value, warnings } = parse(name);

    expect(value.version).toBe(wsl);
    expect(value.kernelVersion).toBe(kernel);
    expect(value.windowsVersion).toBe(windows);
    expect(value.inbox).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('reads all seven German lines, including the unhyphenated "Windows Version"', () => {
    const { value } = parse('14-wsl-version-german-localized.txt');

    expect(value).toMatchObject({
      wslgVersion: '1.0.47',
      msrdcVersion: '1.2.3575',
      direct3dVersion: '1.606.4',
      dxcoreVersion: '10.0.25131.1002-220531-1700.rs-onecore-base2-hyp',
    });
  });

  it('reads the Direct3D suffix and the Japanese DXCore build', () => {
    expect(parse('15-wsl-version-win10-run-from-inside-wsl.txt').value.direct3dVersion).toBe(
      '1.608.2-61064218',
    );
    expect(parse('88-wsl-version-and-list-japanese-powershell.txt').value.dxcoreVersion).toBe(
      '10.0.26100.1-240331-1435.ge-release',
    );
  });

  it('reads the first line of every locale in the reference list', () => {
    const reference = loadFixture('69-wsl-version-localized-first-line-labels-reference.txt');
    const samples = [...reference.matchAll(/InlineData\("(?:[a-z]{2}-[A-Z]{2}", ")?([^"]+)"/g)];

    expect(samples.length).toBeGreaterThan(20);
    for (const [, sample = ''] of samples) {
      const { value } = parseWslVersion(sample.replace(/\\n/g, '\n'));
      expect(value.version, sample).toMatch(/^2\.7\.\d\.0$/);
    }
  });

  it('places lines by product name when some are missing (German four-line sample)', () => {
    const text =
      'WSL-Version: 2.7.7.0\nKernelversion: 6.18.26.1-1\nWSLg-Version: 1.0.73.2\nWindows-Version: 10.0.26300.8553';
    const { value } = parseWslVersion(text);

    expect(value).toMatchObject({
      version: '2.7.7.0',
      kernelVersion: '6.18.26.1-1',
      wslgVersion: '1.0.73.2',
      windowsVersion: '10.0.26300.8553',
      msrdcVersion: null,
    });
  });

  it('recognises the French labels but reports masked values as missing, with warnings', () => {
    const { value, warnings } = parse('91-wsl-version-french-labels-values-masked.txt');

    expect(value.version).toBeNull();
    expect(value.windowsVersion).toBeNull();
    expect(warnings.some((warning) => /masked/.test(warning))).toBe(true);
  });

  it('says the in-box WSL does not know --version', () => {
    const { value, warnings } = parse(
      '76-wsl-version-unsupported-inbox-wsl-doubled-blank-lines.txt',
    );

    expect(value.inbox).toBe(true);
    expect(value.version).toBeNull();
    expect(warnings.join()).toMatch(/in-box/);
  });

  it.each([true, false])('reads raw UTF-16LE bytes (BOM: %s) as wsl.exe writes them', (bom) => {
    const raw = toUtf16(loadFixture('16-wsl-version-0.68-preview-win11-21h2.txt'), bom);
    const { value } = parseWslVersion(decodeToString(raw));

    expect(value.version).toBe('0.68.4.0');
    expect(value.windowsVersion).toBe('10.0.22000.978');
  });

  it('reads UTF-16 that was read as Latin-1 (a NUL after every letter)', () => {
    const raw = toUtf16(loadFixture('63-wsl-version-chinese-fullwidth-colon-cmd.txt'), false);
    const text = loadFixture('15-wsl-version-win10-run-from-inside-wsl.txt').replace(
      /(.)/g,
      '$1\u0000',
    );

    expect(parseWslVersion(text).value.version).toBe('1.2.5.0');
    expect(parseWslVersion(decodeToString(raw)).value.version).toBe('2.0.14.0');
  });
});

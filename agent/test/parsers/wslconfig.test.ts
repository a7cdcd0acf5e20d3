import { describe, expect, it } from 'vitest';

import { parseAny } from '../../src/parsers/index.js';
import { parseWslConf } from '../../src/parsers/wsl-conf.js';
import { parseWslConfig } from '../../src/parsers/wslconfig.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

const GiB = 2 ** 30;
const parse = (name: string) => parseWslConfig(loadFixture(name));
const entry = <T extends { key: string }>(entries: T[], key: string): T | undefined =>
  entries.find((item) => item.key === key);

describe('parseWslConfig', () => {
  it('converts memory=24GB to bytes and flags autoMemoryReclaim under [wsl2]', () => {
    const { value, warnings } = parse('27-wslconfig-automemoryreclaim-in-wrong-section.txt');

    expect(entry(value, 'memory')).toEqual({
      section: 'wsl2',
      key: 'memory',
      value: '24GB',
      bytes: 24 * GiB,
    });
    expect(entry(value, 'networkingMode')?.value).toBe('mirrored');
    expect(warnings).toEqual([
      'line 3: [wsl2] autoMemoryReclaim belongs in [experimental]; WSL ignores it here',
    ]);
  });

  it('accepts the corrected file without warnings', () => {
    const { value, warnings } = parse('28-wslconfig-experimental-section-corrected.txt');

    expect(value.find((item) => item.section === 'experimental')).toMatchObject({
      key: 'autoMemoryReclaim',
      value: 'gradual',
    });
    expect(warnings).toEqual([]);
  });

  it('reads doubled backslashes as one, keeps "=" inside a value, and converts swap=8GB', () => {
    const { value } = parse('29-wslconfig-docs-sample-with-comments-double-backslash.txt');

    expect(entry(value, 'memory')?.bytes).toBe(8 * GiB);
    expect(entry(value, 'kernel')?.value).toBe('C:\\temp\\myCustomKernel');
    expect(entry(value, 'kernelCommandLine')?.value).toBe('vsyscall=emulate');
    expect(entry(value, 'swap')?.bytes).toBe(8 * GiB);
    expect(entry(value, 'swapFile')?.value).toBe('C:\\temp\\wsl-swap.vhdx');
    expect(entry(value, 'processors')?.value).toBe('2');
  });

  it('unquotes values, reads swap = 0 as 0 bytes and 1TB, skips the Japanese comments', () => {
    const { value, warnings } = parse('30-wslconfig-japanese-comments-quoted-values.txt');

    expect(entry(value, 'networkingMode')?.value).toBe('mirrored');
    expect(entry(value, 'autoMemoryReclaim')).toMatchObject({
      section: 'experimental',
      value: 'dropCache',
    });
    expect(entry(value, 'swap')?.bytes).toBe(0);
    expect(entry(value, 'defaultVhdSize')?.bytes).toBe(2 ** 40);
    expect(entry(value, 'ignoredPorts')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('reads a networking-only file: no memory entry at all', () => {
    const { value } = parse('31-wslconfig-mirrored-sparsevhd-no-memory.txt');

    expect(entry(value, 'memory')).toBeUndefined();
    expect(entry(value, 'sparseVhd')).toMatchObject({ section: 'experimental', value: 'true' });
  });

  it('warns that a UTF-16 file with BOM may be ignored by WSL, and still reads it', () => {
    const body = loadFixture('83-wslconfig-unfenced-utf16-bom-crlf-ignored.txt').replace(
      /^Content.*\n/,
      '',
    );
    const { value, warnings } = parseWslConfig(toUtf16(body, true));

    expect(entry(value, 'memory')?.bytes).toBe(6 * GiB);
    expect(entry(value, 'swap')?.bytes).toBe(0);
    expect(warnings.join()).toMatch(/UTF-16/);
  });

  it('suggests localhostForwarding for the typo, once the paste is cut at the glued prompt', () => {
    const parts = parseAny(
      loadFixture('84-wslconfig-misnamed-typo-crlf-no-final-newline.txt'),
    ).value;
    const config = parts.find((part) => part.kind === 'wslconfig');

    expect(
      config?.kind === 'wslconfig' && config.value.map((item) => `${item.key}=${item.value}`),
    ).toEqual(['memory=4GB', 'localhostForwading=true', 'pageReporting=true', 'idleThreshold=1']);
    expect(config?.warnings.join()).toMatch(/did you mean localhostForwarding/);
  });

  it('follows WSL: the first of two equal keys wins, a single backslash escape voids the line', () => {
    const { value, warnings } = parseWslConfig(
      '[wsl2]\nkernel=C:\\temp\\kernel\nmemory=4GB\nMEMORY=8GB\n',
    );

    expect(value).toEqual([{ section: 'wsl2', key: 'memory', value: '4GB', bytes: 4 * GiB }]);
    expect(warnings.join('\n')).toMatch(/invalid escape/);
    expect(warnings.join('\n')).toMatch(/WSL keeps the first/);
  });
});

describe('parseWslConf', () => {
  it('flags keys left outside any section when the headers are commented out', () => {
    const { value, warnings } = parseWslConf(
      loadFixture('58-wslconf-section-headers-commented-out.txt'),
    );

    expect(value).toEqual([
      { section: '', key: 'systemd', value: 'true', bytes: null },
      { section: '', key: 'generateResolvConf', value: 'false', bytes: null },
    ]);
    expect(warnings[0]).toMatch(
      /systemd is outside any section; WSL ignores it \(it belongs in \[boot\]\)/,
    );
    expect(warnings[1]).toMatch(/\[network\]/);
  });

  it('reads a normal wsl.conf without warnings', () => {
    const { value, warnings } = parseWslConf(
      '[boot]\nsystemd=true\n[automount]\noptions = "metadata,umask=22"\n',
    );

    expect(value[1]).toEqual({
      section: 'automount',
      key: 'options',
      value: 'metadata,umask=22',
      bytes: null,
    });
    expect(warnings).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';

import { decodeText } from '../../src/parsers/decode.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

describe('decodeText', () => {
  it.each([true, false])('detects UTF-16LE by content (BOM: %s) and normalises CRLF', (bom) => {
    const { value } = decodeText(
      toUtf16('WSL version: 2.3.24.0\nKernel version: 5.15.153.1-2\n', bom),
    );

    expect(value.encoding).toBe('utf-16le');
    expect(value.text.trimEnd()).toBe('WSL version: 2.3.24.0\nKernel version: 5.15.153.1-2');
  });

  it('reads UTF-16BE with a BOM', () => {
    const le = Buffer.from('Default Version: 2', 'utf16le');
    const be = Buffer.from(le.map((_, i) => le[i ^ 1] ?? 0));
    const { value } = decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]));

    expect(value).toMatchObject({ encoding: 'utf-16be', text: 'Default Version: 2' });
  });

  it('strips the NULs of UTF-16 read as single bytes', () => {
    const { value } = decodeText('D\u0000e\u0000f\u0000a\u0000u\u0000l\u0000t\u0000');
    expect(value.text).toBe('Default');
    expect(value.repairs).toContain('nul-stripped');
  });

  it('undoes the spaced-out letters of wsl -l piped through PowerShell', () => {
    const { value } = decodeText(loadFixture('24-wsl-list-utf16-spaced-letters.txt'));

    expect(value.text.split('\n').filter((line) => line !== '')).toEqual([
      'Windows Subsystem for Linux Distributions:',
      'Ubuntu (Default)',
      'Legacy',
      'Ubuntu-tmp',
    ]);
  });

  it('undoes spaced-out letters below a ticket’s own notes, leaving the notes alone', () => {
    const notes = 'Reported by: devuser\nWindows 11 23H2, PowerShell 7\nOutput as posted:\n---\n';
    const { value } = decodeText(notes + loadFixture('24-wsl-list-utf16-spaced-letters.txt'));

    expect(value.text.split('\n').filter((line) => line !== '')).toEqual([
      'Reported by: devuser',
      'Windows 11 23H2, PowerShell 7',
      'Output as posted:',
      '---',
      'Windows Subsystem for Linux Distributions:',
      'Ubuntu (Default)',
      'Legacy',
      'Ubuntu-tmp',
    ]);
  });

  it('leaves one or two lines of spaced letters in prose alone', () => {
    const text = 'Steps:\na b c\nthen x y z\nthat was all';
    expect(decodeText(text).value.text).toBe(text);
  });

  it('reads UTF-16LE that follows lines of plain text, with or without a BOM', () => {
    for (const bom of [false, true]) {
      const bytes = Buffer.concat([
        Buffer.from('C:\\> wsl --version > v.txt & type v.txt\n'),
        toUtf16('WSL version: 2.3.24.0\n', bom),
      ]);
      const { value } = decodeText(bytes);

      expect(value.encoding).toBe('utf-16le');
      expect(value.repairs).toContain('mixed-utf-16');
      expect(value.text.trimEnd()).toBe(
        'C:\\> wsl --version > v.txt & type v.txt\nWSL version: 2.3.24.0',
      );
    }
  });

  it('halves line breaks that a console capture doubled', () => {
    const { value } = decodeText(
      loadFixture('76-wsl-version-unsupported-inbox-wsl-doubled-blank-lines.txt'),
    );

    expect(value.repairs).toContain('doubled-line-breaks');
    expect(
      value.text.startsWith('Invalid command line option: --version\nCopyright (c) Microsoft'),
    ).toBe(true);
  });

  it('re-aligns UTF-16 read one byte off (letters in the high byte)', () => {
    const shifted = Array.from('WSL version: 1.1.3.0', (char) =>
      String.fromCharCode(char.charCodeAt(0) << 8),
    ).join('');
    expect(decodeText(shifted).value.text).toBe('WSL version: 1.1.3.0');
  });

  it('removes the HTML <details>/<code> wrapper and markdown fences', () => {
    const { value } = decodeText(
      '<details>\n<summary>docker info</summary>\n<code>\n{"ID": "x"}\n</code>\n</details>\n```json\n{}\n```',
    );

    expect(value.text).not.toMatch(/<|```/);
    expect(value.text).toContain('docker info');
    expect(value.text).toContain('{"ID": "x"}');
  });

  it('strips a blockquote only when every line is quoted, and dedents a list indent', () => {
    expect(decodeText('> [wsl2]\n> memory=4GB').value.text).toBe('[wsl2]\nmemory=4GB');
    expect(decodeText('> wsl --status\nDefault Version: 2').value.text).toBe(
      '> wsl --status\nDefault Version: 2',
    );
    expect(decodeText('    Version WSL : 2.X\n    Version du noyau : X').value.text).toBe(
      'Version WSL : 2.X\nVersion du noyau : X',
    );
  });

  it('falls back to Windows-1252 for bytes that are not UTF-8', () => {
    const { value, warnings } = decodeText(Buffer.from([0x56, 0x65, 0x72, 0x73, 0x69, 0xf3, 0x6e]));

    expect(value.text).toBe('Versión');
    expect(warnings.join()).toMatch(/Windows-1252/);
  });
});

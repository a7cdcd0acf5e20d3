import { readdirSync } from 'node:fs';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseBuildxHistory } from '../../src/parsers/buildx-history.js';
import { decodeText } from '../../src/parsers/decode.js';
import { parseDesktopCliVersion } from '../../src/parsers/desktop-version.js';
import { parseDesktopSettings } from '../../src/parsers/desktop-settings.js';
import { detectKind } from '../../src/parsers/detect-kind.js';
import { parseDockerInfo } from '../../src/parsers/docker-info.js';
import { parseDockerVersion } from '../../src/parsers/docker-version.js';
import { parseAny } from '../../src/parsers/index.js';
import { parsePluginVersions } from '../../src/parsers/plugin-versions.js';
import { maskSecrets } from '../../src/parsers/secrets.js';
import { splitPaste } from '../../src/parsers/split-paste.js';
import { parseWslConf } from '../../src/parsers/wsl-conf.js';
import { parseWslList } from '../../src/parsers/wsl-list.js';
import { parseWslStatus } from '../../src/parsers/wsl-status.js';
import { parseWslVersion } from '../../src/parsers/wsl-version.js';
import { parseWslConfig } from '../../src/parsers/wslconfig.js';
import { loadFixture, toUtf16 } from './load-fixture.js';

const PARSERS: [string, (text: string) => { warnings: string[] }][] = [
  ['docker-version', parseDockerVersion],
  ['docker-info', parseDockerInfo],
  ['plugin-versions', parsePluginVersions],
  ['desktop-version', parseDesktopCliVersion],
  ['wsl-version', parseWslVersion],
  ['wsl-list', parseWslList],
  ['wsl-status', parseWslStatus],
  ['wslconfig', parseWslConfig],
  ['wsl-conf', parseWslConf],
  ['desktop-settings', (text) => parseDesktopSettings(text, 'test')],
  ['buildx-history', parseBuildxHistory],
  ['parse-any', (text) => parseAny(text)],
  ['split-paste', (text) => ({ warnings: [], parts: splitPaste(text) })],
  ['detect-kind', (text) => ({ warnings: [], kind: detectKind(text) })],
  ['secrets', (text) => ({ warnings: [], ...maskSecrets(text) })],
  ['decode', (text) => decodeText(text)],
];

const FIXTURES = readdirSync(new URL('../../../tests/fixtures/', import.meta.url))
  .filter((name) => name.endsWith('.txt'))
  .map(loadFixture);

// A fixture mangled the way pastes are: cut anywhere, lines shuffled or dropped, re-encoded.
const mangledFixture = fc
  .record({
    index: fc.nat(FIXTURES.length - 1),
    cut: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.array(fc.nat(), { maxLength: 40 }),
    encoding: fc.constantFrom('plain', 'utf16-bom', 'utf16', 'nul', 'crlf'),
  })
  .map(({ index, cut, seed, encoding }) => {
    const text = FIXTURES[index] ?? '';
    const lines = text.slice(0, Math.floor(text.length * cut)).split('\n');
    for (const [i, n] of seed.entries()) {
      const a = i % Math.max(lines.length, 1);
      const b = n % Math.max(lines.length, 1);
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
    }
    const shuffled = lines.join('\n');
    if (encoding === 'utf16-bom' || encoding === 'utf16') {
      return toUtf16(shuffled, encoding === 'utf16-bom').toString('latin1');
    }
    if (encoding === 'nul') return shuffled.replace(/(.)/g, '$1\u0000');
    if (encoding === 'crlf') return shuffled.replace(/\n/g, '\r\n');
    return shuffled;
  });

// Characters that steer the parsers: separators, brackets, quotes, prompts, escapes.
const structured = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '{',
        '}',
        '[',
        ']',
        '"',
        '\\',
        ':',
        '：',
        '=',
        '#',
        ';',
        '\n',
        '\r',
        ' ',
        '\t',
        '*',
      ),
      fc.constantFrom(
        'Client:',
        'Server:',
        '[wsl2]',
        'memory=',
        'NAME STATE VERSION',
        '$ ',
        'PS C:\\> ',
      ),
      fc.constantFrom(
        'WSL version: 2.0.0.0',
        '{"Client":',
        '{\\"',
        'Version:',
        '1.2.3',
        'GiB',
        '\u0000',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 200 },
  )
  .map((pieces) => pieces.join(''));

function expectWellFormed(result: { warnings: string[] }): void {
  expect(Array.isArray(result.warnings)).toBe(true);
  expect(result.warnings.every((warning) => typeof warning === 'string')).toBe(true);
}

describe.each(PARSERS)('%s on hostile input', (_name, parse) => {
  it('never throws on truncated, shuffled and re-encoded fixtures', () => {
    fc.assert(
      fc.property(mangledFixture, (text) => expectWellFormed(parse(text))),
      { numRuns: 150 },
    );
  });

  it('never throws on random and structured text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 500 }),
          fc.string({ unit: 'binary', maxLength: 300 }),
          structured,
        ),
        (text) => expectWellFormed(parse(text)),
      ),
      { numRuns: 200 },
    );
  });

  it('answers quickly on large pathological input', () => {
    const inputs = [
      '{"a":'.repeat(20_000),
      '['.repeat(50_000),
      'a'.repeat(200_000) + '@b:~$ x',
      `${'x '.repeat(50_000)}\n`,
      'Client:\n'.repeat(10_000),
      '\\"'.repeat(30_000),
      `${'-----BEGIN RSA PRIVATE KEY-----'.repeat(2000)}`,
      `password=${'a'.repeat(100_000)}`,
      `http://${'a'.repeat(100_000)}`,
    ];
    for (const input of inputs) {
      const started = performance.now();
      expectWellFormed(parse(input));
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });
});

describe('parsers given a non-string at run time', () => {
  it.each(PARSERS)('%s does not throw', (_name, parse) => {
    for (const value of [undefined, null, 42, {}, Buffer.from('Client:\n Version: 1')]) {
      expectWellFormed(parse(value as unknown as string));
    }
  });
});

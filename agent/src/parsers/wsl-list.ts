import type { WslDistro } from '@devfleet/wire';

import { clip, prepareInput } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface WslListFacts {
  distros: WslDistro[];
  defaultDistro: string | null;
  /** wsl.exe said no distribution is installed. */
  noDistributions: boolean;
  /** e.g. "Wsl/Service/CreateInstance/GetDefaultDistro/WSL_E_DEFAULT_DISTRO_NOT_FOUND". */
  errorCode: string | null;
}

// The header and the states of `wsl -l -v` are not translated (REFERENCE.md).
const VERBOSE_HEADER = /^\s*NAME\s+STATE\s+VERSION\s*$/i;
const STATE = /^[A-Za-z]{3,20}$/;
// WSL accepts letters, digits, '.', '_' and '-' in a distribution name.
const DISTRO_NAME = /^[A-Za-z0-9][\w.-]{0,127}$/;
const NO_DISTROS = /has no installed distributions|WSL_E_DEFAULT_DISTRO_NOT_FOUND/i;
const ERROR_CODE = /Wsl\/[\w/]{1,200}/;

/** Reads `wsl -l -v` (or plain `wsl -l`, whose header and default marker are translated). */
export function parseWslList(text: string): Parsed<WslListFacts> {
  return parseSafely('wsl-list', () => readWslList(text), emptyFacts);
}

function emptyFacts(): WslListFacts {
  return { distros: [], defaultDistro: null, noDistributions: false, errorCode: null };
}

function readWslList(input: string): Parsed<WslListFacts> {
  const { lines, warnings } = prepareInput(input);
  const facts = emptyFacts();

  facts.noDistributions = lines.some((line) => NO_DISTROS.test(line));
  facts.errorCode = lines.map((line) => ERROR_CODE.exec(line)?.[0]).find((code) => code) ?? null;

  const verbose = lines.findIndex((line) => VERBOSE_HEADER.test(line));
  if (verbose >= 0) facts.distros = readVerboseRows(lines, verbose + 1, warnings);
  else if (!facts.noDistributions) facts.distros = readPlainList(lines, warnings);
  facts.defaultDistro = facts.distros.find((distro) => distro.isDefault)?.name ?? null;

  if (facts.distros.length === 0 && !facts.noDistributions) {
    warnings.push('no wsl --list output found');
  } else if (facts.distros.length > 0 && facts.defaultDistro === null) {
    warnings.push('no distribution is marked as the default');
  }
  return { value: facts, warnings };
}

function readVerboseRows(lines: string[], start: number, warnings: string[]): WslDistro[] {
  const distros: WslDistro[] = [];
  for (const line of lines.slice(start)) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (distros.length > 0) break;
      continue;
    }

    const isDefault = trimmed.startsWith('*');
    const fields = trimmed.replace(/^\*\s*/, '').split(/\s+/);
    const [name, state, version] = fields;
    if (!name || !state || fields.length > 3 || !DISTRO_NAME.test(name) || !STATE.test(state)) {
      break;
    }

    let parsedVersion: 1 | 2 | null = null;
    if (version === '1' || version === '2') parsedVersion = Number(version) as 1 | 2;
    else if (version === undefined) warnings.push(`${name}: the VERSION column is missing`);
    else warnings.push(`${name}: unexpected VERSION "${version}"`);

    distros.push({ name: clip(name, 256), state, version: parsedVersion, isDefault });
  }
  return distros.slice(0, 64);
}

// "Windows Subsystem for Linux Distributions:" (translated), then one name per line; the
// default carries a translated marker: "(Default)", "(predeterminado)", "(既定)".
function readPlainList(lines: string[], warnings: string[]): WslDistro[] {
  const header = lines.findIndex(
    (line, index) => /[:：]\s*$/.test(line.trim()) && isPlainRow(lines[index + 1] ?? ''),
  );
  if (header < 0) return [];

  const distros: WslDistro[] = [];
  for (const line of lines.slice(header + 1)) {
    const trimmed = line.trim();
    if (trimmed === '') {
      if (distros.length > 0) break;
      continue;
    }
    const row = /^(\S{1,128})(?:\s+\(([^()]{1,40})\))?$/.exec(trimmed);
    if (!row?.[1] || !DISTRO_NAME.test(row[1])) break;
    distros.push({
      name: clip(row[1], 256),
      state: 'Unknown',
      version: null,
      isDefault: row[2] !== undefined,
    });
  }
  if (distros.length > 0) warnings.push('plain wsl --list: no state or WSL version per distro');
  return distros.slice(0, 64);
}

function isPlainRow(line: string): boolean {
  return /^\s*[A-Za-z0-9][\w.-]{0,127}(?:\s+\([^()]{1,40}\))?\s*$/.test(line);
}

import type { Wsl } from '@devfleet/wire';

import { clipOrNull, prepareInput, splitLabel } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface WslVersionFacts extends Pick<Wsl, 'version' | 'kernelVersion' | 'windowsVersion'> {
  wslgVersion: string | null;
  msrdcVersion: string | null;
  direct3dVersion: string | null;
  dxcoreVersion: string | null;
  /** wsl.exe rejected --version: the in-box WSL of Windows before the Store package. */
  inbox: boolean;
}

type Field = 'wsl' | 'kernel' | 'wslg' | 'msrdc' | 'direct3d' | 'dxcore' | 'windows';

// `wsl --version` prints these seven lines in this order in every language.
const ORDER: Field[] = ['wsl', 'kernel', 'wslg', 'msrdc', 'direct3d', 'dxcore', 'windows'];

// The product names stay untranslated inside the labels; only the kernel line has none.
const ANCHORS: [Field, RegExp][] = [
  ['wslg', /wslg/i],
  ['msrdc', /msrdc/i],
  ['direct3d', /direct3d/i],
  ['dxcore', /dxcore/i],
  ['windows', /windows/i],
  ['wsl', /wsl/i],
];

const SHAPES: Record<Field, RegExp> = {
  wsl: /^\d{1,4}\.\d{1,6}\.\d{1,6}(?:\.\d{1,6})?$/,
  kernel: /^\d{1,4}\.\d{1,4}\.\d{1,6}(?:\.\d{1,6})?(?:[-+][\w.+-]{1,60})?$/,
  wslg: /^\d{1,4}(?:\.\d{1,6}){1,3}$/,
  msrdc: /^\d{1,4}(?:\.\d{1,6}){1,3}$/,
  direct3d: /^\d{1,4}(?:\.\d{1,6}){1,3}(?:-\w{1,40})?$/,
  dxcore: /^\d{1,4}(?:\.\d{1,6}){1,3}(?:-[\w.+-]{1,100})?$/,
  windows: /^\d{1,4}\.\d{1,4}\.\d{1,6}(?:\.\d{1,6})?$/,
};

const VERSIONISH = /^\d{1,4}(?:\.\d{1,10}){1,3}(?:[-+][\w.+-]{0,100})?$/;
const MASKED = /^[\dxX]{1,6}(?:\.[\dxX]{1,10}){1,3}/;
const VER_LINE = /Microsoft Windows \[[^\]\d]{0,40}(\d{1,4}\.\d{1,4}\.\d{1,6}(?:\.\d{1,6})?)\]/;
const INBOX = /Invalid command line option|Usage: wsl(?:\.exe)? \[|--exec, -e <CommandLine>/i;

/** Reads `wsl --version`, whatever the display language, by line order and value shape. */
export function parseWslVersion(text: string): Parsed<WslVersionFacts> {
  return parseSafely('wsl-version', () => readWslVersion(text), emptyFacts);
}

function emptyFacts(): WslVersionFacts {
  return {
    version: null,
    kernelVersion: null,
    windowsVersion: null,
    wslgVersion: null,
    msrdcVersion: null,
    direct3dVersion: null,
    dxcoreVersion: null,
    inbox: false,
  };
}

interface LabelLine {
  label: string;
  value: string;
}

function readWslVersion(input: string): Parsed<WslVersionFacts> {
  const { lines, warnings } = prepareInput(input);
  const facts = emptyFacts();
  const blocks = labelBlocks(lines);
  const block = blocks.find(isVersionBlock);

  if (block) {
    const found = assignFields(block, warnings);
    facts.version = found.wsl;
    facts.kernelVersion = found.kernel;
    facts.wslgVersion = found.wslg;
    facts.msrdcVersion = found.msrdc;
    facts.direct3dVersion = found.direct3d;
    facts.dxcoreVersion = found.dxcore;
    facts.windowsVersion = found.windows;
    compareRepeats(blocks, block, found, warnings);
  }

  // `ver` often precedes the paste: "Microsoft Windows [Version 10.0.22621.819]".
  if (facts.windowsVersion === null) {
    const ver = lines.map((line) => VER_LINE.exec(line)?.[1]).find((value) => value);
    facts.windowsVersion = ver ?? null;
  }

  if (!block && lines.some((line) => INBOX.test(line))) {
    facts.inbox = true;
    warnings.push('wsl.exe does not know --version: this is the in-box WSL, not the Store package');
  } else if (!block) {
    warnings.push('no wsl --version output found');
  }
  return { value: facts, warnings };
}

// Runs of "label: value" lines; blank lines inside a run are skipped because captures through
// PowerShell put one after every line (microsoft/WSL#9748).
function labelBlocks(lines: string[]): LabelLine[][] {
  const blocks: LabelLine[][] = [];
  let current: LabelLine[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const pair = splitLabel(line.trim());
    if (pair && pair.label !== '' && pair.label.length <= 48 && pair.value !== '') {
      current.push(pair);
      continue;
    }
    if (current.length > 0) blocks.push(current);
    current = [];
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

function isVersionBlock(block: LabelLine[]): boolean {
  return block.some(
    (line) => anchorOf(line.label) === 'wsl' && /^[\dxX]/.test(line.value.split(/\s/)[0] ?? ''),
  );
}

function anchorOf(label: string): Field | null {
  for (const [field, pattern] of ANCHORS) if (pattern.test(label)) return field;
  return null;
}

function assignFields(block: LabelLine[], warnings: string[]): Record<Field, string | null> {
  const found: Record<Field, string | null> = {
    wsl: null,
    kernel: null,
    wslg: null,
    msrdc: null,
    direct3d: null,
    dxcore: null,
    windows: null,
  };
  const seen = new Set<Field>();
  let position = -1;

  for (const line of block) {
    const value = line.value.split(/\s/)[0] ?? '';
    let field = anchorOf(line.label);
    // A line without a product name takes the next place in the order, if its value fits there.
    if (field === null) {
      const next = ORDER[position + 1];
      if (position < 0 || !next || seen.has(next) || !VERSIONISH.test(value)) continue;
      field = next;
    }
    if (seen.has(field)) continue;

    seen.add(field);
    position = ORDER.indexOf(field);
    if (SHAPES[field].test(value)) {
      found[field] = clipOrNull(value, field === 'kernel' ? 128 : 64);
    } else if (MASKED.test(value)) {
      warnings.push(`the ${field} version is masked ("${value}")`);
    } else {
      warnings.push(`the ${field} line does not hold a version: "${line.value.slice(0, 80)}"`);
    }
  }

  if (found.wsl !== null && found.kernel === null) warnings.push('no kernel version line');
  return found;
}

function compareRepeats(
  blocks: LabelLine[][],
  chosen: LabelLine[][][number],
  found: Record<Field, string | null>,
  warnings: string[],
): void {
  for (const block of blocks) {
    if (block === chosen || !isVersionBlock(block)) continue;
    const other = assignFields(block, []);
    if (other.wsl !== null && other.wsl !== found.wsl) {
      warnings.push(`a second wsl --version output says ${other.wsl}; the first was kept`);
    }
  }
}

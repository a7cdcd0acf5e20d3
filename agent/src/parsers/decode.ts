import type { Parsed } from './parsed.js';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  /** The artifacts that were undone, e.g. `nul-stripped`, `spaced-letters`, `markdown-fence`. */
  repairs: string[];
}

// Big enough for any output the agent reads, small enough that a runaway file cannot stall a
// laptop: everything past it is dropped with a warning.
export const MAX_TEXT_CHARS = 2_000_000;
/** The bytes those characters can take at most in UTF-16, the widest encoding read here. */
export const MAX_INPUT_BYTES = MAX_TEXT_CHARS * 2;

/**
 * Turns raw command output or a pasted sample into plain LF text. Decides the encoding by content,
 * because wsl.exe writes UTF-16LE without a BOM unless WSL_UTF8=1 is set, and pastes carry what
 * terminals made of that (NULs, letters separated by spaces, doubled line breaks).
 */
export function decodeText(input: Uint8Array | string): Parsed<DecodedText> {
  const warnings: string[] = [];
  const repairs: string[] = [];
  const decoded =
    input instanceof Uint8Array
      ? decodeBytes(input, repairs, warnings)
      : {
          text: typeof input === 'string' ? input : String(input ?? ''),
          encoding: 'utf-8' as const,
        };
  const encoding = decoded.encoding;

  let text = decoded.text;
  if (text.length > MAX_TEXT_CHARS) {
    warnings.push(`input cut to its first ${MAX_TEXT_CHARS} characters`);
    text = text.slice(0, MAX_TEXT_CHARS);
  }

  text = repairCharacters(text, repairs);
  text = repairLines(text, repairs);
  return { value: { text, encoding, repairs }, warnings };
}

/** The decoded text alone, for callers that only need the string. */
export function decodeToString(input: Uint8Array | string): string {
  return decodeText(input).value.text;
}

interface BytesText {
  text: string;
  encoding: TextEncoding;
}

function decodeBytes(bytes: Uint8Array, repairs: string[], warnings: string[]): BytesText {
  const view = bytes.subarray(0, Math.min(bytes.length, MAX_INPUT_BYTES));
  if (view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) {
    repairs.push('bom');
    return utf8OrLegacy(view.subarray(3), warnings);
  }
  if (view[0] === 0xff && view[1] === 0xfe) {
    repairs.push('bom');
    return { text: utf16le(view.subarray(2)), encoding: 'utf-16le' };
  }
  if (view[0] === 0xfe && view[1] === 0xff) {
    repairs.push('bom');
    return { text: utf16le(swapBytePairs(view.subarray(2))), encoding: 'utf-16be' };
  }

  // Before sniffing the whole: a preamble of odd length makes UTF-16LE after it look like BE.
  const mixed = splitMixedUtf16(view);
  if (mixed) {
    repairs.push('mixed-utf-16');
    return { text: mixed.preamble + utf16le(mixed.utf16), encoding: 'utf-16le' };
  }

  const sniffed = sniffUtf16(view);
  if (sniffed === 'utf-16le') return { text: utf16le(view), encoding: sniffed };
  if (sniffed === 'utf-16be') return { text: utf16le(swapBytePairs(view)), encoding: sniffed };
  return utf8OrLegacy(view, warnings);
}

/**
 * Plain text lines, then UTF-16LE: a support ticket's notes, a PowerShell transcript header or a
 * prompt, then `wsl.exe` output redirected as is. The first NUL is the high byte of the first
 * UTF-16 character (a BOM may precede it). Taken as such a mix only when the part before is whole
 * lines of UTF-8 and the part after looks like UTF-16LE throughout; null otherwise.
 */
function splitMixedUtf16(bytes: Uint8Array): { preamble: string; utf16: Uint8Array } | null {
  const firstNul = bytes.indexOf(0);
  if (firstNul < 2) return null;

  let start = firstNul - 1;
  if (start >= 2 && bytes[start - 2] === 0xff && bytes[start - 1] === 0xfe) start -= 2;
  if (bytes[start - 1] !== 0x0a) return null;
  if (sniffUtf16(bytes.subarray(start)) !== 'utf-16le') return null;

  try {
    const preamble = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, start));
    return { preamble, utf16: bytes.subarray(start) };
  } catch {
    return null;
  }
}

function utf16le(bytes: Uint8Array): string {
  return new TextDecoder('utf-16le').decode(bytes);
}

// UTF-16 text made of mostly ASCII has a zero in every other byte; which half holds the zeros
// tells the byte order.
function sniffUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const sample = Math.min(bytes.length, 8192);
  if (sample < 4) return null;

  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample; i++) {
    if (bytes[i] !== 0) continue;
    if (i % 2 === 0) evenZeros++;
    else oddZeros++;
  }

  const half = sample / 2;
  if (oddZeros > half * 0.3 && evenZeros < half * 0.05) return 'utf-16le';
  if (evenZeros > half * 0.3 && oddZeros < half * 0.05) return 'utf-16be';
  return null;
}

function swapBytePairs(bytes: Uint8Array): Uint8Array {
  const swapped = new Uint8Array(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1] ?? 0;
    swapped[i + 1] = bytes[i] ?? 0;
  }
  return swapped;
}

// Windows consoles still emit the ANSI code page (e.g. "Versión" from a Spanish cmd.exe) when a
// tool does not write UTF-8.
function utf8OrLegacy(bytes: Uint8Array, warnings: string[]): BytesText {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    warnings.push('input is not valid UTF-8; read it as Windows-1252');
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

function repairCharacters(input: string, repairs: string[]): string {
  let text = input;

  if (text.includes('\uFEFF')) {
    text = text.replace(/\uFEFF/g, '');
    if (!repairs.includes('bom')) repairs.push('bom');
  }

  if (looksMisalignedUtf16(text)) {
    text = Array.from(text, (char) => {
      const code = char.charCodeAt(0);
      return (code & 0xff) === 0 ? String.fromCharCode(code >> 8) : char;
    }).join('');
    repairs.push('misaligned-utf-16');
  }

  if (text.includes('\u0000')) {
    text = text.split('\u0000').join('');
    repairs.push('nul-stripped');
  }

  if (text.includes('\r')) {
    // CR CR LF comes from a CRLF written again through a text-mode pipe.
    text = text.replace(/\r*\n/g, '\n').replace(/\r/g, '\n');
    repairs.push('crlf');
  }

  return text;
}

// UTF-16LE bytes read one byte off put every ASCII letter in the high byte (U+0D00 for CR): the
// reporter of microsoft/WSL#9748 saw exactly that.
function looksMisalignedUtf16(text: string): boolean {
  if (text.length < 8) return false;

  let shifted = 0;
  const sample = Math.min(text.length, 4096);
  for (let i = 0; i < sample; i++) {
    const code = text.charCodeAt(i);
    const high = code >> 8;
    if ((code & 0xff) === 0 && high >= 0x09 && high <= 0x7e) shifted++;
  }
  return shifted > sample * 0.5;
}

function repairLines(input: string, repairs: string[]): string {
  let lines = input.split('\n').map((line) => line.trimEnd());

  lines = unspaceLetters(lines, repairs);
  lines = halveDoubledBreaks(lines, repairs);
  lines = stripWrappers(lines, repairs);
  lines = dedent(lines, repairs);

  return lines.join('\n');
}

/**
 * Undoes "W i n d o w s": UTF-16 shown by a tool that renders each NUL as a space. Applied to the
 * whole text when most lines show the pattern, else to each run of at least three such lines
 * (blank lines between them allowed): a ticket's own prose above the output is left alone, and
 * so is real text such as "a b c".
 */
function unspaceLetters(lines: string[], repairs: string[]): string[] {
  const candidates = lines.filter((line) => line.trim().length >= 3);
  if (candidates.length === 0) return lines;

  const fixed = lines.map(unspaceLine);
  const matched = fixed.filter((line) => line !== null).length;
  const runs =
    matched >= Math.max(1, candidates.length * 0.6)
      ? [{ from: 0, to: lines.length }]
      : spacedRuns(lines, fixed);
  if (runs.length === 0) return lines;

  repairs.push('spaced-letters');
  if (runs.length === 1 && runs[0]?.from === 0 && runs[0].to === lines.length) {
    return unspaceAll(lines, fixed);
  }
  const result: string[] = [];
  let next = 0;
  for (const { from, to } of runs) {
    result.push(...lines.slice(next, from), ...unspaceRun(lines.slice(from, to), fixed, from));
    next = to;
  }
  result.push(...lines.slice(next));
  return result;
}

function unspaceAll(lines: string[], fixed: (string | null)[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = fixed[i] ?? lines[i] ?? '';
    // Each line break came out as two (CR and LF each began a line): keep one blank at most;
    // halveDoubledBreaks takes the rest once the whole text shows the doubling.
    if (line.trim() === '' && result.length > 0 && result[result.length - 1] === '') continue;
    result.push(line.trim() === '' ? '' : line);
  }
  return result;
}

// Inside a run below other text the doubling cannot be judged over the whole text: one or two
// blank lines between spaced lines are the doubled break itself, three or more a real gap.
function unspaceRun(lines: string[], fixed: (string | null)[], offset: number): string[] {
  const result: string[] = [];
  let blanks = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') {
      blanks++;
      continue;
    }
    if (blanks >= 3) result.push('');
    blanks = 0;
    result.push(fixed[offset + index] ?? line);
  }
  return result;
}

const MIN_SPACED_RUN = 3;

/** Ranges [from, to) of spaced-out lines with only blank or short lines between them. */
function spacedRuns(lines: string[], fixed: (string | null)[]): { from: number; to: number }[] {
  const runs: { from: number; to: number }[] = [];
  let from = -1;
  let last = -1;
  let count = 0;
  const close = () => {
    if (count >= MIN_SPACED_RUN) runs.push({ from, to: last + 1 });
    from = -1;
    count = 0;
  };

  for (let i = 0; i < lines.length; i++) {
    if (fixed[i] !== null) {
      if (from < 0) from = i;
      last = i;
      count++;
    } else if ((lines[i] ?? '').trim().length >= 3) {
      close();
    }
  }
  close();
  return runs;
}

function unspaceLine(line: string): string | null {
  if (line.trim().length < 3) return null;

  for (const offset of [0, 1]) {
    if (offset === 1 && line[0] !== ' ') continue;
    if (line.length - offset < 3) continue;

    let ok = true;
    for (let i = offset + 1; i < line.length; i += 2) {
      if (line[i] !== ' ') {
        ok = false;
        break;
      }
    }
    if (!ok) continue;

    let collapsed = '';
    for (let i = offset; i < line.length; i += 2) collapsed += line[i];
    if (collapsed.trim().length >= 2) return collapsed.trimEnd();
  }
  return null;
}

// A console capture that doubled every line break shows each run of breaks with an even length
// (one line: 2 breaks, a paragraph gap: 4); halve them only when nearly every run agrees.
function halveDoubledBreaks(lines: string[], repairs: string[]): string[] {
  const runs: number[] = [];
  let first = lines.findIndex((line) => line !== '');
  if (first < 0) return lines;

  let run = 1;
  for (let i = first + 1; i < lines.length; i++) {
    if (lines[i] === '') {
      run++;
      continue;
    }
    runs.push(run);
    run = 1;
  }

  const even = runs.filter((length) => length % 2 === 0).length;
  if (runs.length < 3 || even < runs.length * 0.85) return lines;

  repairs.push('doubled-line-breaks');
  const result: string[] = lines.slice(0, first + 1);
  let blanks = 0;
  for (first = first + 1; first < lines.length; first++) {
    const line = lines[first] ?? '';
    if (line === '') {
      blanks++;
      continue;
    }
    const keep = Math.max(0, Math.ceil((blanks + 1) / 2) - 1);
    for (let k = 0; k < keep; k++) result.push('');
    result.push(line);
    blanks = 0;
  }
  return result;
}

const HTML_WRAPPER = /<\/?(?:details|summary|code|pre|p|kbd|samp)(?:\s[^<>]{0,200})?>|<br\s*\/?>/gi;
const HAS_HTML_WRAPPER = new RegExp(HTML_WRAPPER.source, 'i');
const FENCE = /^\s{0,3}(?:```|~~~)/;
const BOLD_LINE = /^\s*(?:\*\*|__)([^*_]{1,200})(?:\*\*|__)\s*:?\s*$/;

function stripWrappers(input: string[], repairs: string[]): string[] {
  let lines = input;

  const quoted = lines.filter((line) => line.trim() !== '');
  if (quoted.length > 0 && quoted.every((line) => /^\s*>/.test(line))) {
    lines = lines.map((line) => line.replace(/^\s*> ?/, '').trimEnd());
    repairs.push('blockquote');
  }

  if (lines.some((line) => FENCE.test(line))) {
    // A blank line keeps apart two outputs that sat in separate code blocks.
    lines = lines.map((line) => (FENCE.test(line) ? '' : line));
    repairs.push('markdown-fence');
  }

  if (lines.some((line) => HAS_HTML_WRAPPER.test(line))) {
    lines = lines.map((line) => decodeEntities(line.replace(HTML_WRAPPER, '')).trimEnd());
    repairs.push('html-wrapper');
  }

  if (lines.some((line) => BOLD_LINE.test(line))) {
    lines = lines.map((line) => line.replace(BOLD_LINE, '$1'));
    repairs.push('bold-headings');
  }

  return lines;
}

function decodeEntities(line: string): string {
  return line
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
}

function dedent(lines: string[], repairs: string[]): string[] {
  let common = Infinity;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    if (indent < common) common = indent;
  }
  if (common === Infinity || common === 0) return lines;

  repairs.push('dedent');
  return lines.map((line) => line.slice(common));
}

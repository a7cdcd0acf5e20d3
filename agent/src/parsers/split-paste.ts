import { readCommandLine } from './command-line.js';
import { detectKind } from './detect-kind.js';
import { prepareInput } from './input.js';
import type { KnownKind, ParseKind } from './parse-kind.js';

export interface PastePart {
  kind: ParseKind;
  /** The command typed before this output, when the paste shows it. */
  command: string | null;
  /** 1-based line of the part's first line in the decoded paste. */
  startLine: number;
  text: string;
}

interface Line {
  number: number;
  text: string;
}

interface Segment {
  command: string | null;
  hint: KnownKind | null;
  lines: Line[];
}

const MAX_PARTS = 200;

// Kinds whose JSON documents are separate outputs even one per line; buildx history ls prints
// one JSON object per build, which together are one output.
const ONE_DOCUMENT_KINDS = new Set<ParseKind>([
  'docker-version',
  'docker-info',
  'desktop-settings',
]);

/**
 * Cuts a paste into the outputs it holds: at shell prompts and commands, at a JSON object glued
 * to a progress line, at a prompt glued to the last line of a file that had no final newline, and
 * between blank-line separated blocks of different kinds. Each part is named by detectKind.
 */
export function splitPaste(input: string | Uint8Array): PastePart[] {
  const { lines } = prepareInput(input);
  const numbered = unglue(lines);

  const parts: PastePart[] = [];
  for (const segment of segmentsAtCommands(numbered)) {
    for (const part of splitSegment(segment)) {
      if (parts.length < MAX_PARTS) parts.push(part);
    }
  }
  return parts;
}

// A prompt glued to the end of a line ("idleThreshold=1devuser@devhost:~$ file …", a file without
// a final newline) and JSON glued after progress text ("- Pulling...{"ID":…") each move to a line
// of their own. Only prompts the paste shows elsewhere at a line start are looked for, because
// "1devuser@devhost" alone does not tell where the user name begins.
function unglue(lines: string[]): Line[] {
  const prompts = new Set<string>();
  for (const line of lines) {
    const prompt = /^([\w.-]{1,64}@[\w.-]{1,64}:)\S{0,200}[$#] /.exec(line);
    if (prompt?.[1]) prompts.add(prompt[1]);
  }

  const result: Line[] = [];
  lines.forEach((text, index) => {
    const number = index + 1;
    const at = gluedPromptAt(text, prompts);
    if (at > 0) {
      result.push({ number, text: text.slice(0, at) }, { number, text: text.slice(at) });
      return;
    }

    const json = text.indexOf('{"');
    if (json > 0 && text.slice(0, json).trim() !== '' && !/[:=,[{]\s*$/.test(text.slice(0, json))) {
      result.push({ number, text: text.slice(0, json) }, { number, text: text.slice(json) });
      return;
    }
    result.push({ number, text });
  });
  return result;
}

function gluedPromptAt(text: string, prompts: Set<string>): number {
  for (const prompt of prompts) {
    const at = text.indexOf(prompt);
    if (at > 0) return at;
  }
  return -1;
}

function segmentsAtCommands(lines: Line[]): Segment[] {
  const segments: Segment[] = [];
  let current: Segment = { command: null, hint: null, lines: [] };

  for (const line of lines) {
    const command = readCommandLine(line.text);
    if (!command) {
      current.lines.push(line);
      continue;
    }
    segments.push(current);
    current = { command: command.command || null, hint: command.hint, lines: [] };
  }
  segments.push(current);
  return segments.filter((segment) => segment.lines.some((line) => line.text.trim() !== ''));
}

interface Block {
  kind: ParseKind;
  lines: Line[];
  json: boolean;
}

function splitSegment(segment: Segment): PastePart[] {
  const blocks = paragraphs(segment.lines).map((lines, index): Block => {
    const text = lines.map((line) => line.text).join('\n');
    return {
      kind: detectKind(text, index === 0 ? segment.hint : null),
      lines,
      json: /^\s*\[?\{/.test(lines[0]?.text ?? ''),
    };
  });

  const merged: Block[] = [];
  for (const block of blocks) {
    const last = merged[merged.length - 1];
    if (!last) {
      merged.push({ ...block });
    } else if (last.kind === 'unknown' && block.kind !== 'unknown') {
      // Remarks before an output (a "//redacted" line, a label) go with that output.
      merged[merged.length - 1] = { ...block, lines: [...last.lines, ...block.lines] };
    } else if (continues(last, block)) {
      last.lines.push(...block.lines);
    } else {
      merged.push({ ...block });
    }
  }

  return merged.map((block, index) => ({
    kind: block.kind,
    command: index === 0 ? segment.command : null,
    startLine: block.lines[0]?.number ?? 0,
    text: trimBlank(block.lines.map((line) => line.text)).join('\n'),
  }));
}

function continues(last: Block, next: Block): boolean {
  if (next.kind === 'unknown') return true;
  if (next.kind !== last.kind) return false;
  return !(last.json && next.json && ONE_DOCUMENT_KINDS.has(next.kind));
}

// Blocks separated by blank lines; a line opening a JSON document at column 0 also starts one.
function paragraphs(lines: Line[]): Line[][] {
  const result: Line[][] = [];
  let current: Line[] = [];
  const flush = (): void => {
    if (current.some((line) => line.text.trim() !== '')) result.push(current);
    current = [];
  };

  for (const line of lines) {
    if (line.text.trim() === '') {
      flush();
      continue;
    }
    if (/^\[?\{/.test(line.text) && current.length > 0) flush();
    current.push(line);
  }
  flush();
  return result;
}

function trimBlank(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(start, end);
}

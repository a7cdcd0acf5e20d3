import { decodeText, type TextEncoding } from './decode.js';
import { maskSecrets } from './secrets.js';

export interface PreparedInput {
  text: string;
  encoding: TextEncoding;
  lines: string[];
  warnings: string[];
}

/**
 * What every parser does first: undo encoding and paste artifacts, then mask secrets, so that no
 * parser can hand on a credential it happened to read.
 */
export function prepareInput(input: unknown): PreparedInput {
  const raw =
    input instanceof Uint8Array || typeof input === 'string' ? input : String(input ?? '');
  const decoded = decodeText(raw);
  const { text } = maskSecrets(decoded.value.text);
  return {
    text,
    encoding: decoded.value.encoding,
    lines: text.split('\n'),
    warnings: decoded.warnings,
  };
}

export interface LabelledValue {
  label: string;
  value: string;
}

/**
 * Splits "Label: value" at the first colon, ASCII or fullwidth (Chinese and Japanese Windows print
 * "WSL 版本： 2.0.14.0"). The label may itself end in spaces, as French typography puts one before
 * the colon.
 */
export function splitLabel(line: string): LabelledValue | null {
  let index = -1;
  for (let i = 0; i < line.length && i < 200; i++) {
    const char = line[i];
    if (char === ':' || char === '\uFF1A') {
      index = i;
      break;
    }
  }
  if (index < 0) return null;

  return { label: line.slice(0, index).trim(), value: line.slice(index + 1).trim() };
}

export function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

export function isBlank(line: string): boolean {
  return line.trim() === '';
}

/** Cuts a string to the length the report's schema allows for that field. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

export function clipOrNull(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  const trimmed = text.trim();
  return trimmed === '' ? null : clip(trimmed, max);
}

import { parse, type ParseError } from 'jsonc-parser';

export interface JsonSpan {
  start: number;
  end: number;
  /** False when the text ended before the value closed: a paste cut off mid-object. */
  complete: boolean;
}

export interface LenientJson {
  value: unknown;
  truncated: boolean;
  errors: number;
}

/**
 * Finds the JSON objects in a text: alone, one per line, or glued to a progress line as in
 * "- Pulling...{"ID":""…". One pass over the text; a value that never closes runs to the end.
 */
export function findJsonSpans(text: string, limit = 256): JsonSpan[] {
  const spans: JsonSpan[] = [];
  let index = 0;
  while (index < text.length && spans.length < limit) {
    const start = nextJsonStart(text, index);
    if (start < 0) break;

    const end = scanJsonValue(text, start);
    if (end < 0) {
      spans.push({ start, end: text.length, complete: false });
      break;
    }
    spans.push({ start, end, complete: true });
    index = end;
  }
  return spans;
}

function nextJsonStart(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char !== '{' && char !== '[') continue;

    let j = i + 1;
    while (j < text.length && j < i + 200 && /\s/.test(text[j] ?? '')) j++;
    const next = text[j];
    if (char === '{' && (next === '"' || next === '}')) return i;
    if (char === '[' && next === '{') return i;
  }
  return -1;
}

// Returns the index just past the value that starts at `start`, or -1 if it never closes.
function scanJsonValue(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Parses JSON that may be cut off or carry comments ("//redacted" in a hand-edited paste): keeps
 * every member read before the cut. The last string of a truncated value may itself be cut.
 */
export function parseJsonLenient(text: string): LenientJson {
  const errors: ParseError[] = [];
  let value: unknown = undefined;
  try {
    value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  } catch {
    return { value: undefined, truncated: true, errors: 1 };
  }
  return { value, truncated: errors.length > 0, errors: errors.length };
}

/** The first JSON object in a text, parsed leniently, with how many more followed it. */
export function firstJsonObject(
  text: string,
): { object: Record<string, unknown>; truncated: boolean; others: number } | null {
  const spans = findJsonSpans(text);
  for (const [position, span] of spans.entries()) {
    const parsed = parseJsonLenient(text.slice(span.start, span.end));
    if (isRecord(parsed.value)) {
      return {
        object: parsed.value,
        truncated: !span.complete || parsed.truncated,
        others: spans.length - position - 1,
      };
    }
  }
  return null;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Looks a key up case-insensitively: Docker's JSON and Desktop's settings change case over time. */
export function getKey(object: Record<string, unknown>, key: string): unknown {
  if (Object.prototype.hasOwnProperty.call(object, key)) return object[key];
  const lower = key.toLowerCase();
  for (const [name, value] of Object.entries(object)) {
    if (name.toLowerCase() === lower) return value;
  }
  return undefined;
}

export function getString(object: Record<string, unknown>, key: string): string | null {
  const value = getKey(object, key);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function getNumber(object: Record<string, unknown>, key: string): number | null {
  const value = getKey(object, key);
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,15}(?:\.\d+)?$/.test(value.trim()))
    return Number(value);
  return null;
}

export function getRecord(
  object: Record<string, unknown>,
  key: string,
): Record<string, unknown> | null {
  const value = getKey(object, key);
  return isRecord(value) ? value : null;
}

export function getArray(object: Record<string, unknown>, key: string): unknown[] {
  const value = getKey(object, key);
  return Array.isArray(value) ? value : [];
}

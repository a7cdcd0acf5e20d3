/**
 * The INI dialect that WSL itself reads, for both .wslconfig and /etc/wsl.conf (ParseConfigFile
 * in microsoft/WSL src/shared/configfile). A general INI library answers differently where it
 * matters for a report: WSL keeps the FIRST of two equal keys, does not treat ';' after a value as
 * a comment, unquotes "…" anywhere in a value, reads backslash escapes (so C:\temp holds a tab and
 * C:\kernel is an invalid line), and drops lines whose key is not alphanumeric. What WSL applies
 * is what the report must show, so this follows WSL's grammar.
 */

export interface IniEntry {
  /** Lower-case section name; '' for a key above any section header. */
  section: string;
  key: string;
  value: string;
  line: number;
}

export interface IniDocument {
  entries: IniEntry[];
  /** Lines WSL would skip, each with the reason, as "line N: …". */
  problems: string[];
}

const MAX_LINES = 5000;

export function parseWslIni(lines: readonly string[]): IniDocument {
  const entries: IniEntry[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let section = '';

  const count = Math.min(lines.length, MAX_LINES);
  for (let index = 0; index < count; index++) {
    const number = index + 1;
    const line = (lines[index] ?? '').trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;

    if (line.startsWith('[')) {
      const header = /^\[([A-Za-z][A-Za-z0-9]{0,63})\][ \t]*(?:#.*)?$/.exec(line);
      if (header?.[1]) section = header[1].toLowerCase();
      else problems.push(`line ${number}: malformed section header "${line.slice(0, 60)}"`);
      continue;
    }

    const key = /^[A-Za-z][A-Za-z0-9]{0,63}/.exec(line)?.[0];
    const rest = key ? line.slice(key.length).trimStart() : '';
    if (!key || !rest.startsWith('=')) {
      problems.push(`line ${number}: not a key=value line WSL can read: "${line.slice(0, 60)}"`);
      continue;
    }

    // A value ending in a backslash continues on the next line.
    let raw = rest.slice(1);
    while (raw.endsWith('\\') && !raw.endsWith('\\\\') && index + 1 < count) {
      index++;
      raw = raw.slice(0, -1) + (lines[index] ?? '');
    }

    const value = readValue(raw);
    if (typeof value !== 'string') {
      problems.push(`line ${number}: ${value.problem}; WSL skips the line`);
      continue;
    }

    const id = `${section}.${key.toLowerCase()}`;
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`line ${number}: ${key} repeats line ${first}; WSL keeps the first`);
      continue;
    }
    seen.set(id, number);
    entries.push({ section, key, value, line: number });
  }

  if (lines.length > MAX_LINES) problems.push(`only the first ${MAX_LINES} lines were read`);
  return { entries, problems };
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', b: '\b', n: '\n', t: '\t' };

function readValue(raw: string): string | { problem: string } {
  let value = '';
  let trimmedLength = 0;
  let inQuote = false;

  for (let i = 0; i < raw.length; i++) {
    const char = raw[i] ?? '';
    if (char === '"') {
      inQuote = !inQuote;
    } else if (char === '\\') {
      const next = raw[i + 1] ?? '';
      const escaped = ESCAPES[next];
      if (escaped === undefined) {
        return { problem: `invalid escape "\\${next}" (write paths with doubled backslashes)` };
      }
      value += escaped;
      i++;
    } else if (char === '#' && !inQuote) {
      break;
    } else {
      value += char;
    }
    if (char !== ' ' && char !== '\t') trimmedLength = value.length;
  }

  if (inQuote) return { problem: 'unclosed quote' };
  return value.slice(0, trimmedLength).trimStart();
}

/** The known key closest to a misspelt one, e.g. localhostForwading → localhostForwarding. */
export function suggestKey(key: string, known: readonly string[]): string | null {
  const lower = key.toLowerCase();
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? limit;
}

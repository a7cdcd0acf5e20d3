import type { KnownKind } from './parse-kind.js';

export interface CommandLine {
  /** The command as typed, prompt removed; '' for a bare prompt. */
  command: string;
  /** What the command's output should be, when the command is one the parsers know. */
  hint: KnownKind | null;
}

// Prompts seen in pastes: PowerShell, cmd.exe, bash "user@host:path$", macOS "host:~ user$".
const FULL_PROMPTS = [
  /^PS [^>\n]{1,260}>\s?(.*)$/,
  /^[A-Za-z]:\\[^>\n]{0,260}>\s?(.*)$/,
  /^[\w.-]{1,64}@[\w.-]{1,64}:\S{0,260}[$#]\s?(.*)$/,
  /^[\w.-]{1,64}:\S{0,260} [\w.-]{1,64}[$#]\s?(.*)$/,
];

// One-character prompts collide with comments ("#") and quotes (">"): they count only before a
// command the parsers know, or alone on a line for "$", "❯" and "λ".
const SHORT_PROMPT = /^([$#>❯λ%])\s?(.*)$/;

// prettier-ignore
const COMMANDS: [RegExp, KnownKind | null][] = [
  [/^docker(?:\.exe)?\s+(?:--version|-v)\s*$/i, 'plugin-versions'],
  [/^docker(?:\.exe)?\s+version\b/i, 'docker-version'],
  [/^docker(?:\.exe)?\s+(?:system\s+)?info\b/i, 'docker-info'],
  [/^docker(?:\.exe)?\s+compose\s+(?:version|--version|-v)\b/i, 'plugin-versions'],
  [/^docker-compose(?:\.exe)?\s+(?:version|--version|-v)\b/i, 'plugin-versions'],
  [/^docker(?:\.exe)?\s+buildx\s+version\b/i, 'plugin-versions'],
  [/^docker(?:\.exe)?\s+buildx\s+(?:--builder\s+\S+\s+)?history\b/i, 'buildx-history'],
  [/^\(?wsl(?:\.exe)?\s+(?:--version|-v)\)?\s*$/i, 'wsl-version'],
  [/^wsl(?:\.exe)?\s+(?:-l|--list)\b/i, 'wsl-list'],
  [/^(?:\$\w+\s*=\s*)?wsl(?:\.exe)?\s+--status\b/i, 'wsl-status'],
  [/^(?:cat|type|more|less|bat|gc|Get-Content|notepad)\b.{0,200}\.wslconfig\b/i, 'wslconfig'],
  [/^(?:cat|type|more|less|bat|gc|Get-Content|sudo)\b.{0,200}wsl\.conf\b/i, 'wsl-conf'],
  [/^(?:cat|type|more|less|bat|gc|Get-Content)\b.{0,200}settings(?:-store)?\.json\b/i, 'desktop-settings'],
  [/(?:^|\\)DockerCli\.exe"?\s+version\b/i, 'desktop-version'],
  [/^(?:sudo\s+)?(?:docker|docker-compose|wsl|wsl\.exe|cat|type|ver|uname|Get-\w+|gc|file|ls|dir)\b/i, null],
];

/** Reads a line as a shell prompt and/or a command; null when it is output. */
export function readCommandLine(line: string): CommandLine | null {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.length > 2000) return null;

  for (const prompt of FULL_PROMPTS) {
    const match = prompt.exec(trimmed);
    if (match) return describe(match[1] ?? '');
  }

  const short = SHORT_PROMPT.exec(trimmed);
  if (short) {
    const rest = (short[2] ?? '').trim();
    if (rest === '') return '$❯λ'.includes(short[1] ?? '') ? { command: '', hint: null } : null;
    const known = knownCommand(rest, true);
    return known ?? ('$❯λ'.includes(short[1] ?? '') ? { command: rest, hint: null } : null);
  }

  // Without a prompt, only a line that is exactly a command the parsers know (a heading such as
  // "**docker version**" ends up here once the bold marks are gone); "docker-desktop Running 2"
  // must stay output.
  return /^[a-z(]/.test(trimmed) ? knownCommand(trimmed, false) : null;
}

function describe(command: string): CommandLine {
  const trimmed = command.trim();
  return knownCommand(trimmed, true) ?? { command: trimmed, hint: null };
}

function knownCommand(command: string, allowOthers: boolean): CommandLine | null {
  for (const [pattern, hint] of COMMANDS) {
    if (!pattern.test(command)) continue;
    if (hint === null && !allowOthers) return null;
    return { command, hint };
  }
  return null;
}

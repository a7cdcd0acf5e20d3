import type { WslConfigEntry } from '@devfleet/wire';

import { clip, prepareInput } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';
import { parseWslIni, suggestKey, type IniEntry } from './wsl-ini.js';

// The per-distro settings WSL reads from /etc/wsl.conf (learn.microsoft.com, wsl-config).
export const WSL_CONF_SECTIONS: Record<string, readonly string[]> = {
  automount: ['enabled', 'mountFsTab', 'root', 'options', 'ldconfig', 'cgroups'],
  network: ['generateHosts', 'generateResolvConf', 'hostname'],
  interop: ['enabled', 'appendWindowsPath'],
  user: ['default'],
  boot: ['systemd', 'command', 'protectBinfmt', 'initTimeout'],
  gpu: ['enabled'],
  time: ['useWindowsTimezone'],
  filesystem: ['umask'],
};

/**
 * Reads a distro's /etc/wsl.conf with WSL's own grammar. Keys above any section header, as when
 * the header is commented out ("# [boot]", microsoft/WSL#10100), do nothing: a warning says so.
 */
export function parseWslConf(text: string | Uint8Array): Parsed<WslConfigEntry[]> {
  return parseSafely(
    'wsl-conf',
    () => readWslConf(text),
    () => [],
  );
}

function readWslConf(input: string | Uint8Array): Parsed<WslConfigEntry[]> {
  const { lines, warnings } = prepareInput(input);
  const document = parseWslIni(lines);
  warnings.push(...document.problems);

  const entries = document.entries.slice(0, 128).map((entry) => {
    checkEntry(entry, warnings);
    return {
      section: clip(entry.section, 64),
      key: clip(canonicalKey(entry), 64),
      value: clip(entry.value, 4096),
      bytes: null,
    };
  });
  return { value: entries, warnings };
}

function canonicalKey(entry: IniEntry): string {
  const known = WSL_CONF_SECTIONS[entry.section] ?? Object.values(WSL_CONF_SECTIONS).flat();
  return known.find((key) => key.toLowerCase() === entry.key.toLowerCase()) ?? entry.key;
}

function checkEntry(entry: IniEntry, warnings: string[]): void {
  const key = canonicalKey(entry);
  const where = `line ${entry.line}: ${entry.section ? `[${entry.section}] ` : ''}${key}`;
  const sectionKeys = WSL_CONF_SECTIONS[entry.section];
  if (sectionKeys?.some((known) => known.toLowerCase() === key.toLowerCase())) return;

  const homes = Object.entries(WSL_CONF_SECTIONS)
    .filter(([, keys]) => keys.some((known) => known.toLowerCase() === key.toLowerCase()))
    .map(([section]) => `[${section}]`);

  if (entry.section === '') {
    const hint = homes.length > 0 ? ` (it belongs in ${homes.join(' or ')})` : '';
    warnings.push(`${where} is outside any section; WSL ignores it${hint}`);
  } else if (!sectionKeys) {
    warnings.push(`${where}: WSL does not know the section [${entry.section}]`);
  } else if (homes.length > 0) {
    warnings.push(`${where} belongs in ${homes.join(' or ')}; WSL ignores it here`);
  } else {
    const suggestion = suggestKey(key, sectionKeys);
    const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
    warnings.push(`${where} is not a key WSL knows; it is ignored${hint}`);
  }
}

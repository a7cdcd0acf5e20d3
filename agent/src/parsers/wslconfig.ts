import type { WslConfigEntry } from '@devfleet/wire';

import { clip, prepareInput } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';
import { parseWslIni, suggestKey, type IniEntry } from './wsl-ini.js';
import { parseWslSize } from './units.js';

// Keys as microsoft/WSL names them (src/windows/common/WslCoreConfig.h, ConfigSetting), plus
// pageReporting and idleThreshold that older releases read. Networking keys moved from
// [experimental] to [wsl2] in WSL 2.0; WSL still reads them in both.
// prettier-ignore
const WSL2_KEYS = [
  'kernel', 'kernelCommandLine', 'kernelModules', 'memory', 'processors', 'debugConsole',
  'earlyBootLogging', 'swap', 'swapFile', 'localhostForwarding', 'nestedVirtualization',
  'virtio9p', 'virtiofs', 'kernelDebugPort', 'gpuSupport', 'guiApplications', 'systemDistro',
  'telemetry', 'vmIdleTimeout', 'debugConsoleLogFile', 'kernelBootTimeout',
  'distributionStartTimeout', 'virtio', 'hostFileSystemAccess', 'mountDeviceTimeout',
  'hardwarePerformanceCounters', 'networkingMode', 'vmSwitch', 'macAddress', 'dhcp',
  'dhcpTimeout', 'ipv6', 'dnsProxy', 'safeMode', 'defaultVhdSize', 'crashDumpFolder',
  'maxCrashDumpCount', 'dnsTunneling', 'firewall', 'autoProxy', 'loadKernelModules',
  'loadDefaultKernelModules', 'pageReporting', 'idleThreshold',
];

// prettier-ignore
const EXPERIMENTAL_KEYS = [
  'networkingMode', 'autoMemoryReclaim', 'sparseVhd', 'dnsTunneling', 'bestEffortDnsParsing',
  'dnsTunnelingIpAddress', 'firewall', 'autoProxy', 'initialAutoProxyTimeout', 'ignoredPorts',
  'hostAddressLoopback', 'setVersionDebug',
];

const GENERAL_KEYS = ['distributionInstallPath', 'instanceIdleTimeout'];

export const WSLCONFIG_SECTIONS: Record<string, readonly string[]> = {
  wsl2: WSL2_KEYS,
  experimental: EXPERIMENTAL_KEYS,
  general: GENERAL_KEYS,
};

const SIZE_KEYS = new Set(['memory', 'swap', 'defaultvhdsize']);

// prettier-ignore
const BOOLEAN_KEYS = new Set(
  [
    'debugConsole', 'localhostForwarding', 'nestedVirtualization', 'guiApplications', 'dnsProxy',
    'safeMode', 'dnsTunneling', 'firewall', 'autoProxy', 'sparseVhd', 'hostAddressLoopback',
    'bestEffortDnsParsing', 'pageReporting', 'gpuSupport', 'ipv6', 'dhcp',
  ].map((key) => key.toLowerCase()),
);

const ENUMS: Record<string, readonly string[]> = {
  networkingmode: ['nat', 'mirrored', 'none', 'virtioproxy', 'bridged'],
  automemoryreclaim: ['disabled', 'gradual', 'dropcache'],
};

/**
 * Reads %UserProfile%\.wslconfig as WSL does. Entries keep the file's order, with known keys in
 * their documented spelling and `bytes` for sizes (memory=8GB → 8589934592). Keys that WSL
 * ignores (wrong section, unknown, repeated) are kept in the entries and explained in warnings.
 */
export function parseWslConfig(text: string | Uint8Array): Parsed<WslConfigEntry[]> {
  return parseSafely(
    'wslconfig',
    () => readWslConfig(text),
    () => [],
  );
}

function readWslConfig(input: string | Uint8Array): Parsed<WslConfigEntry[]> {
  const { lines, warnings, encoding } = prepareInput(input);
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    // microsoft/WSL#7851: a .wslconfig saved as UTF-16 by Notepad was silently ignored.
    warnings.push('the file is UTF-16; WSL may ignore it entirely: save it as UTF-8');
  }

  const document = parseWslIni(lines);
  warnings.push(...document.problems);

  const entries = document.entries.slice(0, 128).map((entry) => toWireEntry(entry, warnings));
  if (document.entries.length > 128) warnings.push('only the first 128 entries were kept');
  return { value: entries, warnings };
}

function toWireEntry(entry: IniEntry, warnings: string[]): WslConfigEntry {
  const key = canonicalKey(entry);
  checkPlacement(entry, key, warnings);

  const lower = key.toLowerCase();
  let bytes: number | null = null;
  if (SIZE_KEYS.has(lower)) {
    const size = parseWslSize(entry.value);
    bytes = size.bytes;
    if (size.problem) warnings.push(`line ${entry.line}: ${key}: ${size.problem}`);
  }
  if (BOOLEAN_KEYS.has(lower) && !/^(true|false|1|0)$/i.test(entry.value)) {
    warnings.push(`line ${entry.line}: ${key}="${entry.value}" is not true or false`);
  }
  const allowed = ENUMS[lower];
  if (allowed && !allowed.includes(entry.value.toLowerCase())) {
    warnings.push(
      `line ${entry.line}: ${key}="${entry.value}" is not one of ${allowed.join(', ')}`,
    );
  }

  return {
    section: clip(entry.section, 64),
    key: clip(key, 64),
    value: clip(entry.value, 4096),
    bytes,
  };
}

function canonicalKey(entry: IniEntry): string {
  const known = WSLCONFIG_SECTIONS[entry.section] ?? [];
  const all = [...known, ...WSL2_KEYS, ...EXPERIMENTAL_KEYS, ...GENERAL_KEYS];
  return all.find((key) => key.toLowerCase() === entry.key.toLowerCase()) ?? entry.key;
}

// WSL warns "Unknown key 'wsl2.autoMemoryReclaim'" and goes on without it (microsoft/WSL#10759).
function checkPlacement(entry: IniEntry, key: string, warnings: string[]): void {
  const where = `line ${entry.line}: ${entry.section ? `[${entry.section}] ` : ''}${key}`;
  const sectionKeys = WSLCONFIG_SECTIONS[entry.section];
  if (sectionKeys?.some((known) => known.toLowerCase() === key.toLowerCase())) return;

  const home = Object.entries(WSLCONFIG_SECTIONS).find(([, keys]) =>
    keys.some((known) => known.toLowerCase() === key.toLowerCase()),
  )?.[0];
  if (entry.section === '' && home) {
    warnings.push(`${where} is outside any section; WSL ignores it (it belongs in [${home}])`);
  } else if (!sectionKeys) {
    warnings.push(`${where}: WSL does not know the section [${entry.section}] and ignores it`);
  } else if (home) {
    warnings.push(`${where} belongs in [${home}]; WSL ignores it here`);
  } else {
    const suggestion = suggestKey(key, sectionKeys);
    const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
    warnings.push(`${where} is not a key WSL knows; it is ignored${hint}`);
  }
}

import type { DesktopSettings } from '@devfleet/wire';

import { clip, prepareInput } from './input.js';
import { findJsonSpans, getKey, isRecord, parseJsonLenient } from './json-text.js';
import { parseSafely, type Parsed } from './parsed.js';
import { maskSecretsInValue } from './secrets.js';

export interface DesktopSettingsDetails {
  settings: DesktopSettings;
  settingsVersion: number | null;
  diskSizeMiB: number | null;
  useWindowsContainers: boolean | null;
  kubernetesEnabled: boolean | null;
  useResourceSaver: boolean | null;
  useContainerdSnapshotter: boolean | null;
  useVirtualizationFramework: boolean | null;
  /** Every setting read, flattened, with anything secret-looking masked. */
  raw: Record<string, unknown>;
}

// Keys that only settings files carry: enough of them tells a settings object from other JSON.
// prettier-ignore
const MARKERS = [
  'settingsversion', 'memorymib', 'cpus', 'wslengineenabled', 'filesharingdirectories',
  'autostart', 'usecontainerdsnapshotter', 'displayedonboarding', 'licensetermsversion',
  'usewindowscontainers', 'integratedwsldistros', 'kubernetesenabled', 'disksizemib',
];

/**
 * Reads Docker Desktop's settings-store.json (4.35+, PascalCase) or legacy settings.json
 * (camelCase), matching keys case-insensitively, also when the JSON sits escaped inside a backend
 * log line or is printed as a Go struct. Keys left at their default are absent from the file:
 * those fields stay null, meaning "Docker Desktop's default".
 */
export function parseDesktopSettings(text: string, source: string): Parsed<DesktopSettings | null> {
  const parsed = parseDesktopSettingsDetails(text, source);
  return { value: parsed.value?.settings ?? null, warnings: parsed.warnings };
}

export function parseDesktopSettingsDetails(
  text: string,
  source: string,
): Parsed<DesktopSettingsDetails | null> {
  return parseSafely(
    'desktop-settings',
    () => readSettings(text, source),
    () => null,
  );
}

function readSettings(input: string, source: string): Parsed<DesktopSettingsDetails | null> {
  const { text, warnings } = prepareInput(input);
  const found = findSettingsObject(text, warnings);
  if (!found) {
    warnings.push('no Docker Desktop settings found');
    return { value: null, warnings };
  }

  const flat = flatten(found);
  const read = (key: string): unknown => getKey(flat, key);
  const settings: DesktopSettings = {
    source: clip(String(source ?? ''), 64),
    memoryMiB: asCount(read('MemoryMiB')),
    cpus: asCount(read('Cpus')),
    swapMiB: asCount(read('SwapMiB')),
    wslEngineEnabled: asBoolean(read('WslEngineEnabled')),
    integratedWslDistros: asStrings(read('IntegratedWslDistros'), 256),
    integrationWithDefaultDistro: asBoolean(read('EnableIntegrationWithDefaultWslDistro')),
    fileSharing: fileSharingOf(read),
    filesharingDirectories: asStrings(read('FilesharingDirectories'), 4096),
  };

  const unset = ['MemoryMiB', 'Cpus', 'SwapMiB'].filter((key) => read(key) === undefined);
  if (unset.length > 0)
    warnings.push(`not set, Docker Desktop's defaults apply: ${unset.join(', ')}`);

  return {
    value: {
      settings,
      settingsVersion: asCount(read('SettingsVersion')),
      diskSizeMiB: asCount(read('DiskSizeMiB')),
      useWindowsContainers: asBoolean(read('UseWindowsContainers')),
      kubernetesEnabled: asBoolean(read('KubernetesEnabled')),
      useResourceSaver: asBoolean(read('UseResourceSaver')),
      useContainerdSnapshotter: asBoolean(read('UseContainerdSnapshotter')),
      useVirtualizationFramework: asBoolean(read('UseVirtualizationFramework')),
      raw: maskSecretsInValue(flat) as Record<string, unknown>,
    },
    warnings,
  };
}

function findSettingsObject(text: string, warnings: string[]): Record<string, unknown> | null {
  const direct = bestJsonObject(text);
  if (direct) return direct.object;

  // docker/for-win#11701: the backend logs GET /settings as msg="…{\"memoryMiB\":2048…}".
  const escapedStart = text.indexOf('{\\"');
  if (escapedStart >= 0) {
    const unescaped = unescapeOnce(text.slice(escapedStart));
    const embedded = bestJsonObject(unescaped);
    if (embedded) {
      warnings.push('settings read from JSON escaped inside a log line');
      return embedded.object;
    }
  }

  // docker/for-win#11705: the same settings printed with Go's %+v.
  const struct = readGoStruct(text);
  if (struct) warnings.push('settings read from a Go struct dump; nested values are flattened');
  return struct;
}

function bestJsonObject(text: string): { object: Record<string, unknown> } | null {
  for (const span of findJsonSpans(text)) {
    const parsed = parseJsonLenient(text.slice(span.start, span.end));
    if (isRecord(parsed.value) && markerCount(flatten(parsed.value)) >= 1) {
      return { object: parsed.value };
    }
  }
  return null;
}

function markerCount(object: Record<string, unknown>): number {
  return Object.keys(object).filter((key) => MARKERS.includes(key.toLowerCase())).length;
}

function unescapeOnce(text: string): string {
  return text.replace(/\\(["\\/])/g, '$1');
}

const GO_FIELD = /(?:^|[\s{])([A-Z][A-Za-z0-9]{0,80}):(\[[^\]]{0,4096}\]|[^\s{}]*)/g;

function readGoStruct(text: string): Record<string, unknown> | null {
  const object: Record<string, unknown> = {};
  for (const match of text.matchAll(GO_FIELD)) {
    const [, key, raw] = match;
    if (!key || raw === undefined || key in object) continue;
    object[key] = goValue(raw);
  }
  return markerCount(object) >= 2 ? object : null;
}

function goValue(raw: string): unknown {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d{1,15}$/.test(raw)) return Number(raw);
  if (raw.startsWith('[') && raw.endsWith(']')) {
    const inner = raw.slice(1, -1).trim();
    return inner === '' ? [] : inner.split(/\s+/);
  }
  return raw;
}

// Older settings nest some keys (PlatformSpecificContent); one flat view makes lookups simple.
function flatten(object: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (isRecord(value) && depth < 3) {
      for (const [inner, item] of Object.entries(flatten(value, depth + 1))) {
        if (!(inner in flat)) flat[inner] = item;
      }
    } else if (!(key in flat)) {
      flat[key] = value;
    }
  }
  return flat;
}

// Which file sharing a Mac uses: VirtioFS, gRPC FUSE, or osxfs when both are off.
function fileSharingOf(read: (key: string) => unknown): string | null {
  const virtiofs = asBoolean(read('UseVirtualizationFrameworkVirtioFS'));
  const grpcfuse = asBoolean(read('UseGrpcfuse'));
  if (virtiofs) return 'virtiofs';
  if (grpcfuse) return 'grpcfuse';
  if (virtiofs === false && grpcfuse === false) return 'osxfs';
  return null;
}

function asCount(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) return null;
  return Math.min(number, 1_000_000);
}

function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return null;
}

function asStrings(value: unknown, maxLength: number): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is string => typeof item === 'string')
    .map((item) => clip(item, maxLength))
    .slice(0, 64);
}

import type { Backend, DaemonState, DockerEngine } from '@devfleet/wire';

import { daemonStateOf, findDaemonError, isDaemonError } from './docker-errors.js';
import { clip, clipOrNull, indentOf, prepareInput, splitLabel } from './input.js';
import {
  firstJsonObject,
  getArray,
  getNumber,
  getRecord,
  getString,
  isRecord,
} from './json-text.js';
import { parseSafely, type Parsed } from './parsed.js';
import { parseDockerSize } from './units.js';

export interface DockerInfoFacts {
  /** Null when the daemon is down. */
  engine: DockerEngine | null;
  /** ClientInfo.Plugins: buildx, compose… */
  plugins: { name: string; version: string }[];
  context: string | null;
  /** The daemon's own Warnings[]. */
  dockerWarnings: string[];
  /** Decided from ServerErrors / an empty ServerVersion, never from the exit code. */
  daemon: { state: DaemonState; error: string | null };
}

/** Reads `docker info`, as `--format '{{json .}}'` or as the default text (old and new layouts). */
export function parseDockerInfo(text: string): Parsed<DockerInfoFacts> {
  return parseSafely('docker-info', () => readDockerInfo(text), emptyFacts);
}

/** The VM or host the engine runs in, named by its kernel. */
export function backendOf(kernelVersion: string | null, osType: string | null): Backend {
  if (kernelVersion) {
    if (/microsoft-standard/i.test(kernelVersion)) return 'wsl2';
    if (/linuxkit/i.test(kernelVersion)) return 'linuxkit';
  }
  if (osType && /^(linux|windows)$/i.test(osType.trim())) return 'native';
  if (kernelVersion && /^\d/.test(kernelVersion.trim())) return 'native';
  return 'unknown';
}

function emptyFacts(): DockerInfoFacts {
  return {
    engine: null,
    plugins: [],
    context: null,
    dockerWarnings: [],
    daemon: { state: 'unreachable', error: null },
  };
}

function readDockerInfo(input: string): Parsed<DockerInfoFacts> {
  const { text, lines, warnings } = prepareInput(input);

  const json = firstJsonObject(text);
  const isInfoJson =
    json !== null &&
    ['ServerVersion', 'ClientInfo', 'ServerErrors', 'NCPU', 'KernelVersion'].some(
      (key) => json.object[key] !== undefined,
    );

  const facts = isInfoJson ? fromJson(json.object, lines, warnings) : fromText(lines, warnings);
  if (isInfoJson && json.truncated) {
    warnings.push('the JSON is cut off; fields after the cut are missing');
  }
  return { value: facts, warnings };
}

function fromJson(
  object: Record<string, unknown>,
  lines: string[],
  warnings: string[],
): DockerInfoFacts {
  const serverErrors = getArray(object, 'ServerErrors').filter(
    (item): item is string => typeof item === 'string' && item.trim() !== '',
  );
  const serverVersion = getString(object, 'ServerVersion')?.trim() ?? '';
  // A paste cut before ServerVersion (json_pp sorts keys, so it comes late) still shows a live
  // daemon through the server fields it did keep; a down daemon leaves them all empty.
  const cutBeforeVersion = object.ServerVersion === undefined && serverFieldsFilled(object);
  const up = serverErrors.length === 0 && (serverVersion !== '' || cutBeforeVersion);
  if (up && cutBeforeVersion) warnings.push('the server version is missing from the cut-off JSON');

  const kernelVersion = clipOrNull(getString(object, 'KernelVersion'), 256);
  const osType = clipOrNull(getString(object, 'OSType'), 32);
  const cpus = getNumber(object, 'NCPU');
  const memory = getNumber(object, 'MemTotal');
  const engine: DockerEngine | null = up
    ? {
        serverVersion: clip(serverVersion, 64),
        operatingSystem: clipOrNull(getString(object, 'OperatingSystem'), 256),
        osType,
        kernelVersion,
        backend: backendOf(kernelVersion, osType),
        architecture: clipOrNull(getString(object, 'Architecture'), 32),
        cpus: count(cpus),
        memoryBytes: bytes(memory),
        storageDriver: clipOrNull(getString(object, 'Driver'), 64),
        cgroupVersion: clipOrNull(getString(object, 'CgroupVersion'), 8),
        name: clipOrNull(getString(object, 'Name'), 256),
      }
    : null;

  const clientInfo = getRecord(object, 'ClientInfo');
  const plugins = clientInfo
    ? getArray(clientInfo, 'Plugins')
        .filter(isRecord)
        .map((plugin) => ({
          name: getString(plugin, 'Name') ?? '',
          version: getString(plugin, 'Version') ?? '',
        }))
        .filter((plugin) => plugin.name !== '')
    : [];

  const error = serverErrors.length > 0 ? serverErrors.join('\n') : findDaemonError(lines);
  if (!up && error === null) {
    warnings.push('the daemon reported no version and no error: it is most likely not running');
  }

  return {
    engine,
    plugins: plugins.map(clipPlugin).slice(0, 64),
    context: clientInfo ? clipOrNull(getString(clientInfo, 'Context'), 256) : null,
    dockerWarnings: getArray(object, 'Warnings')
      .filter((item): item is string => typeof item === 'string')
      .map((item) => clip(item, 4096))
      .slice(0, 64),
    daemon: {
      state: up ? 'running' : daemonStateOf(false, lines),
      error: error === null ? null : clip(error, 4096),
    },
  };
}

function serverFieldsFilled(object: Record<string, unknown>): boolean {
  const filled = [
    'KernelVersion',
    'OperatingSystem',
    'Architecture',
    'Driver',
    'CgroupDriver',
    'ID',
  ]
    .map((key) => getString(object, key))
    .filter((value) => value !== null && value.trim() !== '');
  return filled.length > 0 || (getNumber(object, 'NCPU') ?? 0) > 0;
}

interface TextInfo {
  client: Record<string, string>;
  server: Record<string, string>;
  plugins: { name: string; version: string }[];
  dockerWarnings: string[];
  serverError: string | null;
  sawServer: boolean;
  pluginIndent: number;
}

/**
 * The text layout: "Client:" and "Server:" sections with fields one space in, or the pre-2018
 * layout with server fields at column 0 and no sections (treehouses/builder#215).
 */
function fromText(lines: string[], warnings: string[]): DockerInfoFacts {
  const info = readTextSections(lines, warnings);
  const server = info.server;
  const serverVersion = server['server version']?.trim() ?? '';

  const kernelVersion = clipOrNull(server['kernel version'], 256);
  const osType = clipOrNull(server.ostype, 32);
  const cpus = server.cpus ? Number(server.cpus) : null;
  const memory = server['total memory'] ? parseDockerSize(server['total memory']) : null;
  const engine: DockerEngine | null =
    serverVersion !== ''
      ? {
          serverVersion: clip(serverVersion, 64),
          operatingSystem: clipOrNull(server['operating system'], 256),
          osType,
          kernelVersion,
          backend: backendOf(kernelVersion, osType),
          architecture: clipOrNull(server.architecture, 32),
          cpus: count(cpus),
          memoryBytes: bytes(memory),
          storageDriver: clipOrNull(server['storage driver'], 64),
          cgroupVersion: clipOrNull(server['cgroup version'], 8),
          name: clipOrNull(server.name, 256),
        }
      : null;

  const error = engine ? null : (info.serverError ?? findDaemonError(lines));
  if (!engine && error === null) {
    warnings.push(
      info.sawServer
        ? 'the server part has no version: the output may be cut off'
        : 'no docker info output found',
    );
  }

  return {
    engine,
    plugins: info.plugins.map(clipPlugin).slice(0, 64),
    context: clipOrNull(info.client.context ?? server.context, 256),
    dockerWarnings: info.dockerWarnings.slice(0, 64),
    daemon: {
      state: daemonStateOf(engine !== null, lines),
      error: error === null ? null : clip(error, 4096),
    },
  };
}

function readTextSections(lines: string[], warnings: string[]): TextInfo {
  const info: TextInfo = {
    client: {},
    server: {},
    plugins: [],
    dockerWarnings: [],
    serverError: null,
    sawServer: false,
    pluginIndent: -1,
  };
  let section: 'none' | 'client' | 'server' = 'none';
  let sawClient = false;
  let parent: string | null = null;
  let parentIndent = 0;

  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const indent = indentOf(line);

    if (indent === 0 && /^(Client|Server)(\s*:.*)?$/.test(trimmed)) {
      const isClient = trimmed.startsWith('Client');
      if ((isClient && (sawClient || info.sawServer)) || (!isClient && info.sawServer)) {
        warnings.push('a second output follows the first one; only the first was read');
        break;
      }
      section = isClient ? 'client' : 'server';
      sawClient ||= isClient;
      info.sawServer ||= !isClient;
      parent = null;
      continue;
    }

    if (/^WARNING:/i.test(trimmed)) {
      info.dockerWarnings.push(clip(trimmed, 4096));
      continue;
    }
    if (isDaemonError(trimmed)) {
      info.serverError ??= trimmed.replace(/^ERROR:\s*/i, '');
      continue;
    }

    const pair = splitLabel(trimmed);
    if (!pair) continue;
    const label = pair.label.toLowerCase();

    if (parent !== null && indent > parentIndent) {
      if (section === 'client' && parent === 'plugins') readPluginLine(pair, indent, info);
      continue;
    }

    parent = label;
    parentIndent = indent;
    // Fields before any section header are server fields in the old layout.
    const target = section === 'client' ? info.client : info.server;
    if (target[label] === undefined) target[label] = pair.value;
  }

  return info;
}

// "buildx: Docker Buildx (Docker Inc., v0.10.0)" before CLI 23; since then the version sits on
// its own "Version:" line under the plugin.
function readPluginLine(
  pair: { label: string; value: string },
  indent: number,
  info: TextInfo,
): void {
  const last = info.plugins[info.plugins.length - 1];
  if (last && indent > info.pluginIndent && pair.label.toLowerCase() === 'version') {
    if (last.version === '') last.version = pair.value;
    return;
  }
  if (last && indent > info.pluginIndent) return;

  info.pluginIndent = indent;
  const inline = /,\s*(v?\d[\w.+-]*)\)\s*$/.exec(pair.value);
  info.plugins.push({ name: pair.label, version: inline?.[1] ?? '' });
}

function clipPlugin(plugin: { name: string; version: string }): { name: string; version: string } {
  return { name: clip(plugin.name, 64), version: clip(plugin.version, 64) };
}

function count(value: number | null): number | null {
  if (value === null || !Number.isFinite(value) || value <= 0) return null;
  return Math.min(Math.round(value), 1_000_000);
}

function bytes(value: number | null): number | null {
  if (value === null || !Number.isFinite(value) || value <= 0) return null;
  return Math.min(Math.round(value), Number.MAX_SAFE_INTEGER);
}

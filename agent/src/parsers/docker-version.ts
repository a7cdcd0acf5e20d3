import type { DaemonState, DockerClient, DockerServer } from '@devfleet/wire';

import { daemonStateOf, findDaemonError } from './docker-errors.js';
import { parseDesktopPlatformName, isDesktopPlatform } from './desktop-version.js';
import { clip, clipOrNull, indentOf, prepareInput, splitLabel } from './input.js';
import { firstJsonObject, getArray, getRecord, getString, isRecord } from './json-text.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface DockerVersionFacts {
  client: DockerClient | null;
  server: DockerServer | null;
  /** From Server.Platform.Name "Docker Desktop 4.49.0 (208700)". */
  desktop: { version: string; build: string | null } | null;
  /** 'running' when a server part is there, else 'unreachable' with the error text. */
  daemon: { state: DaemonState; error: string | null };
  /** False for e.g. "master", "dev"; the version string is kept as is. */
  engineIsRelease: boolean;
}

// Release engines are numbered (17.12.0-ce, 24.0.6, 29.0.0), and distributions append their own
// build of that release: Debian 20.10.24+dfsg1, Ubuntu 24.0.7-0ubuntu2~22.04.1, -ce and -ee.
// Pre-releases carry -rc/-beta/-tp, and builds from source read "master", "dev" or a Go
// pseudo-version 0.0.0-<date>-<commit>.
const RELEASE_NUMBER =
  /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})((?:[-+~][0-9A-Za-z][0-9A-Za-z.+~_-]{0,63})?)$/;
const PRE_RELEASE = /(?:^|[^a-z])(?:rc|beta|alpha|dev|tp|nightly|snapshot|pre|test)(?:[^a-z]|$)/i;

/** Reads `docker version`, as `--format '{{json .}}'` or as the default text. */
export function parseDockerVersion(text: string): Parsed<DockerVersionFacts> {
  return parseSafely('docker-version', () => readDockerVersion(text), emptyFacts);
}

export function isReleaseVersion(version: string | null | undefined): boolean {
  const match = typeof version === 'string' ? RELEASE_NUMBER.exec(version.trim()) : null;
  if (!match) return false;

  const [, major, minor, patch, suffix = ''] = match;
  if (major === '0' && minor === '0' && patch === '0') return false;
  return !PRE_RELEASE.test(suffix);
}

function emptyFacts(): DockerVersionFacts {
  return {
    client: null,
    server: null,
    desktop: null,
    daemon: { state: 'unreachable', error: null },
    engineIsRelease: false,
  };
}

function readDockerVersion(input: string): Parsed<DockerVersionFacts> {
  const { text, lines, warnings } = prepareInput(input);

  const json = firstJsonObject(text);
  const parts =
    json && (json.object.Client !== undefined || json.object.Server !== undefined)
      ? fromJson(json.object, json.truncated, json.others, warnings)
      : fromText(lines, warnings);

  return { value: finish(parts, lines, warnings), warnings };
}

interface VersionParts {
  client: DockerClient | null;
  server: DockerServer | null;
  clientPlatform: string | null;
}

function finish(parts: VersionParts, lines: string[], warnings: string[]): DockerVersionFacts {
  const { client, server } = parts;
  const platformName = server?.platformName ?? null;
  const desktop = parseDesktopPlatformName(platformName);
  if (!desktop && isDesktopPlatform(platformName)) {
    warnings.push('the server says it is Docker Desktop but names no version');
  }
  if (parts.clientPlatform && /podman/i.test(parts.clientPlatform)) {
    warnings.push(`the client is "${parts.clientPlatform}", not Docker`);
  }

  const engineIsRelease = isReleaseVersion(server?.version);
  if (server && !engineIsRelease) {
    warnings.push(`engine version "${server.version}" is not a release number`);
  }

  const error = server ? null : findDaemonError(lines);
  const state = daemonStateOf(server !== null, lines);
  if (!client && !server && state !== 'not-installed') {
    warnings.push('no docker version output found');
  } else if (client && !server && error === null && state === 'unreachable') {
    warnings.push('no server part and no error message: the output may be cut off');
  }

  return {
    client,
    server,
    desktop,
    daemon: { state, error: error === null ? null : clip(error, 4096) },
    engineIsRelease,
  };
}

function fromJson(
  object: Record<string, unknown>,
  truncated: boolean,
  others: number,
  warnings: string[],
): VersionParts {
  if (truncated) warnings.push('the JSON is cut off; fields after the cut are missing');
  if (others > 0) warnings.push(`${others} more JSON document(s) after the first were ignored`);

  const clientJson = getRecord(object, 'Client');
  const serverJson = getRecord(object, 'Server');

  const clientVersion = clientJson ? getString(clientJson, 'Version') : null;
  const client: DockerClient | null =
    clientJson && clientVersion
      ? {
          version: clip(clientVersion, 64),
          apiVersion: clipOrNull(getString(clientJson, 'ApiVersion'), 32),
          goVersion: clipOrNull(getString(clientJson, 'GoVersion'), 32),
          os: clipOrNull(getString(clientJson, 'Os'), 32),
          arch: clipOrNull(getString(clientJson, 'Arch'), 64),
          context: clipOrNull(getString(clientJson, 'Context'), 256),
        }
      : null;

  const serverVersion = serverJson ? getString(serverJson, 'Version') : null;
  let server: DockerServer | null = null;
  if (serverJson && serverVersion) {
    const platform = getRecord(serverJson, 'Platform');
    server = {
      version: clip(serverVersion, 64),
      apiVersion: clipOrNull(getString(serverJson, 'ApiVersion'), 32),
      minApiVersion: clipOrNull(getString(serverJson, 'MinAPIVersion'), 32),
      os: clipOrNull(getString(serverJson, 'Os'), 32),
      arch: clipOrNull(getString(serverJson, 'Arch'), 64),
      kernelVersion: clipOrNull(getString(serverJson, 'KernelVersion'), 256),
      platformName: platform ? clipOrNull(getString(platform, 'Name'), 256) : null,
      components: getArray(serverJson, 'Components')
        .filter(isRecord)
        .map((item) => ({
          name: clip(getString(item, 'Name') ?? '', 64),
          version: clip(getString(item, 'Version') ?? '', 64),
        }))
        .filter((item) => item.name !== '')
        .slice(0, 32),
    };
  } else if (serverJson) {
    warnings.push('the server part has no version');
  }

  const clientPlatform = clientJson ? getRecord(clientJson, 'Platform') : null;
  return {
    client,
    server,
    clientPlatform: clientPlatform ? getString(clientPlatform, 'Name') : null,
  };
}

type Section = 'none' | 'client' | 'server';

interface TextState {
  section: Section;
  component: string | null;
  client: Record<string, string>;
  engine: Record<string, string>;
  components: { name: string; version: string }[];
  clientPlatform: string | null;
  serverPlatform: string | null;
  sawServer: boolean;
}

/**
 * The default text: "Client:" and "Server: <platform>" headers, fields indented below them, and
 * on the server one block per component (Engine, containerd, runc, docker-init).
 */
function fromText(lines: string[], warnings: string[]): VersionParts {
  const state: TextState = {
    section: 'none',
    component: null,
    client: {},
    engine: {},
    components: [],
    clientPlatform: null,
    serverPlatform: null,
    sawServer: false,
  };

  for (const line of lines) {
    if (line.trim() === '') continue;
    if (!readTextLine(line, state)) {
      warnings.push('a second output follows the first one; only the first was read');
      break;
    }
  }

  return {
    client: clientFromText(state),
    server: serverFromText(state, warnings),
    clientPlatform: state.clientPlatform,
  };
}

// Returns false when the line starts another command's output.
function readTextLine(line: string, state: TextState): boolean {
  const header = /^(Client|Server)(?:\s*:\s*(.*))?$/.exec(line.trim());
  if (header && indentOf(line) === 0) {
    if (header[1] === 'Client') {
      if (state.sawServer || state.client.version !== undefined) return false;
      state.section = 'client';
      state.clientPlatform = header[2]?.trim() || null;
    } else {
      if (state.sawServer) return false;
      state.section = 'server';
      state.sawServer = true;
      state.serverPlatform = header[2]?.trim() || null;
    }
    state.component = null;
    return true;
  }

  const pair = splitLabel(line.trim());
  if (!pair) return true;
  const label = pair.label.toLowerCase();

  if (state.section === 'server') {
    if (pair.value === '' && indentOf(line) > 0 && /^[\w.-]{1,64}$/.test(pair.label)) {
      state.component = pair.label;
      if (label !== 'engine') state.components.push({ name: pair.label, version: '' });
      return true;
    }
    if (state.component === null || state.component.toLowerCase() === 'engine') {
      if (state.engine[label] === undefined) state.engine[label] = pair.value;
    } else if (label === 'version') {
      const current = state.components[state.components.length - 1];
      if (current) current.version = pair.value;
    }
    return true;
  }

  // Before any header the fields still belong to the client: an old CLI pasted into an issue
  // template (docker/for-win#4143) starts at " Version:".
  if (state.client[label] === undefined) state.client[label] = pair.value;
  return true;
}

function clientFromText(state: TextState): DockerClient | null {
  const fields = state.client;
  if (!fields.version) return null;

  const [os, arch] = splitOsArch(fields['os/arch']);
  return {
    version: clip(fields.version, 64),
    apiVersion: clipOrNull(fields['api version'], 32),
    goVersion: clipOrNull(fields['go version'], 32),
    os,
    arch,
    context: clipOrNull(fields.context, 256),
  };
}

function serverFromText(state: TextState, warnings: string[]): DockerServer | null {
  if (!state.sawServer) return null;

  const fields = state.engine;
  if (!fields.version) {
    warnings.push('the server part has no engine version');
    return null;
  }

  const [os, arch] = splitOsArch(fields['os/arch']);
  const api = /^(\S+)(?:\s*\(minimum version ([^)]+)\))?/.exec(fields['api version'] ?? '');
  const components = [
    { name: 'Engine', version: fields.version },
    ...state.components.filter((item) => item.version !== ''),
  ];

  return {
    version: clip(fields.version, 64),
    apiVersion: clipOrNull(api?.[1], 32),
    minApiVersion: clipOrNull(api?.[2], 32),
    os,
    arch,
    kernelVersion: clipOrNull(fields['kernel version'], 256),
    platformName: clipOrNull(state.serverPlatform, 256),
    components: components
      .map((item) => ({ name: clip(item.name, 64), version: clip(item.version, 64) }))
      .slice(0, 32),
  };
}

function splitOsArch(value: string | undefined): [string | null, string | null] {
  if (!value) return [null, null];
  const slash = value.indexOf('/');
  if (slash < 0) return [clipOrNull(value, 32), null];
  return [clipOrNull(value.slice(0, slash), 32), clipOrNull(value.slice(slash + 1), 64)];
}

import { parseBuildxHistory, type BuildRecord } from './buildx-history.js';
import { parseDesktopCliVersion, type DesktopCliVersion } from './desktop-version.js';
import { parseDesktopSettingsDetails, type DesktopSettingsDetails } from './desktop-settings.js';
import { detectKind } from './detect-kind.js';
import { parseDockerInfo, type DockerInfoFacts } from './docker-info.js';
import { parseDockerVersion, type DockerVersionFacts } from './docker-version.js';
import { prepareInput } from './input.js';
import type { ParseKind } from './parse-kind.js';
import type { Parsed } from './parsed.js';
import { parsePluginVersions, type ToolVersion } from './plugin-versions.js';
import { splitPaste } from './split-paste.js';
import { parseWslConf } from './wsl-conf.js';
import { parseWslList, type WslListFacts } from './wsl-list.js';
import { parseWslStatus, type WslStatusFacts } from './wsl-status.js';
import { parseWslVersion, type WslVersionFacts } from './wsl-version.js';
import { parseWslConfig } from './wslconfig.js';
import type { WslConfigEntry } from '@devfleet/wire';

export type { Parsed } from './parsed.js';
export { PARSE_KINDS, isParseKind, type ParseKind, type KnownKind } from './parse-kind.js';
export { decodeText, decodeToString, type DecodedText } from './decode.js';
export { maskSecrets, maskSecretsInValue } from './secrets.js';
export { detectKind } from './detect-kind.js';
export { splitPaste, type PastePart } from './split-paste.js';
export { parseDockerVersion, type DockerVersionFacts } from './docker-version.js';
export { parseDockerInfo, type DockerInfoFacts } from './docker-info.js';
export { parsePluginVersions, type ToolVersion } from './plugin-versions.js';
export { parseDesktopCliVersion, parseDesktopPlatformName } from './desktop-version.js';
export { parseWslVersion, type WslVersionFacts } from './wsl-version.js';
export { parseWslList, type WslListFacts } from './wsl-list.js';
export { parseWslStatus, type WslStatusFacts } from './wsl-status.js';
export { parseWslConfig } from './wslconfig.js';
export { parseWslConf } from './wsl-conf.js';
export { parseDesktopSettings, parseDesktopSettingsDetails } from './desktop-settings.js';
export { parseBuildxHistory, type BuildRecord } from './buildx-history.js';

/** One output read from a paste or a file, tagged with its kind. */
export type ParsedOutput =
  | { kind: 'docker-version'; value: DockerVersionFacts }
  | { kind: 'docker-info'; value: DockerInfoFacts }
  | { kind: 'plugin-versions'; value: ToolVersion[] }
  | { kind: 'desktop-version'; value: DesktopCliVersion }
  | { kind: 'wsl-version'; value: WslVersionFacts }
  | { kind: 'wsl-list'; value: WslListFacts }
  | { kind: 'wsl-status'; value: WslStatusFacts }
  | { kind: 'wslconfig'; value: WslConfigEntry[] }
  | { kind: 'wsl-conf'; value: WslConfigEntry[] }
  | { kind: 'desktop-settings'; value: DesktopSettingsDetails | null }
  | { kind: 'buildx-history'; value: BuildRecord[] }
  | { kind: 'unknown'; value: null };

export type ParsedPart = ParsedOutput & {
  command: string | null;
  startLine: number;
  warnings: string[];
};

/**
 * Reads anything the agent knows: with a kind, the whole text as that kind; without one, every
 * output found in the paste, each with its own kind and warnings.
 */
export function parseAny(input: string | Uint8Array, kind?: ParseKind): Parsed<ParsedPart[]> {
  const { text, warnings } = prepareInput(input);
  if (kind !== undefined) {
    const forced = kind === 'unknown' ? detectKind(text) : kind;
    const part = parseAs(forced, text);
    // A file that is not what --kind says is not read as an empty one: the parsers' defaults
    // (a daemon "unreachable", no distros) would pass for facts.
    const read = foundNothing(part)
      ? { kind: 'unknown' as const, value: null, warnings: part.warnings }
      : part;
    return { value: [{ ...read, command: null, startLine: 1 }], warnings };
  }

  const parts = splitPaste(text).map((part) => ({
    ...parseAs(part.kind, part.text),
    command: part.command,
    startLine: part.startLine,
  }));
  if (!parts.some((part) => part.kind !== 'unknown'))
    warnings.push('nothing the agent reads was found');
  return { value: parts, warnings };
}

function parseAs(kind: ParseKind, text: string): ParsedOutput & { warnings: string[] } {
  switch (kind) {
    case 'docker-version':
      return tag(kind, parseDockerVersion(text));
    case 'docker-info':
      return tag(kind, parseDockerInfo(text));
    case 'plugin-versions':
      return tag(kind, parsePluginVersions(text));
    case 'desktop-version':
      return tag(kind, parseDesktopCliVersion(text));
    case 'wsl-version':
      return tag(kind, parseWslVersion(text));
    case 'wsl-list':
      return tag(kind, parseWslList(text));
    case 'wsl-status':
      return tag(kind, parseWslStatus(text));
    case 'wslconfig':
      return tag(kind, parseWslConfig(text));
    case 'wsl-conf':
      return tag(kind, parseWslConf(text));
    case 'desktop-settings':
      return tag(kind, parseDesktopSettingsDetails(text, 'paste'));
    case 'buildx-history':
      return tag(kind, parseBuildxHistory(text));
    case 'unknown':
      return { kind, value: null, warnings: [] };
  }
}

/** Whether a parser found none of its output in the text, only its empty defaults. */
export function foundNothing(output: ParsedOutput & { warnings: string[] }): boolean {
  switch (output.kind) {
    case 'docker-version': {
      const { client, server, desktop, daemon } = output.value;
      return !client && !server && !desktop && daemon.error === null;
    }
    case 'docker-info': {
      const { engine, plugins, context, dockerWarnings, daemon } = output.value;
      return (
        !engine &&
        plugins.length === 0 &&
        context === null &&
        dockerWarnings.length === 0 &&
        daemon.error === null
      );
    }
    case 'desktop-version':
    case 'wsl-status':
      return Object.values(output.value).every((value) => value === null);
    case 'wsl-version': {
      const { inbox: _inbox, ...versions } = output.value;
      return Object.values(versions).every((value) => value === null);
    }
    case 'wsl-list': {
      const { distros, defaultDistro, noDistributions, errorCode } = output.value;
      return distros.length === 0 && !defaultDistro && !noDistributions && errorCode === null;
    }
    // A config file with no settings is still one (all comments); lines WSL cannot read are not.
    case 'wslconfig':
    case 'wsl-conf':
      return output.value.length === 0 && output.warnings.length > 0;
    case 'plugin-versions':
    case 'buildx-history':
      return output.value.length === 0;
    case 'desktop-settings':
      return output.value === null;
    case 'unknown':
      return true;
  }
}

function tag<K extends ParsedOutput['kind'], T>(
  kind: K,
  parsed: Parsed<T>,
): { kind: K; value: T; warnings: string[] } {
  return { kind, value: parsed.value, warnings: parsed.warnings };
}

import { prepareInput, splitLabel } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface DesktopVersion {
  version: string;
  build: string | null;
}

const DESKTOP_NAME =
  /Docker Desktop\s+v?(\d{1,4}\.\d{1,4}\.\d{1,6}(?:\.\d{1,6})?)(?:\s*\((\d{1,12})\))?/i;

/**
 * Reads "Docker Desktop 4.49.0 (208700)", the engine's platform name on Desktop: version, then the
 * build number in parentheses. A bare "Docker Desktop" (seen from inside a WSL distro) names none.
 */
export function parseDesktopPlatformName(name: string | null): DesktopVersion | null {
  if (!name) return null;
  const match = DESKTOP_NAME.exec(name);
  if (!match?.[1]) return null;
  return { version: match[1], build: match[2] ?? null };
}

export function isDesktopPlatform(name: string | null): boolean {
  return name !== null && /\bDocker Desktop\b/i.test(name);
}

export interface DesktopCliVersion {
  version: string | null;
  build: string | null;
  channel: string | null;
  osName: string | null;
  windowsBuild: string | null;
}

/**
 * Output of the undocumented `DockerCli.exe version` of Docker Desktop 2.x on Windows
 * (docker/for-win#6289): "Version: 2.2.0.5 (43884)", "Channel: stable", OS name and build.
 */
export function parseDesktopCliVersion(input: string): Parsed<DesktopCliVersion> {
  return parseSafely('desktop-version', () => readDesktopCliVersion(input), emptyCliVersion);
}

function emptyCliVersion(): DesktopCliVersion {
  return { version: null, build: null, channel: null, osName: null, windowsBuild: null };
}

function readDesktopCliVersion(input: string): Parsed<DesktopCliVersion> {
  const { lines, warnings } = prepareInput(input);
  const facts = emptyCliVersion();

  for (const line of lines) {
    const pair = splitLabel(line);
    if (!pair || pair.value === '') continue;

    const label = pair.label.toLowerCase();
    if (label === 'version' && facts.version === null) {
      const match = /^v?(\d{1,4}(?:\.\d{1,6}){1,3})(?:\s*\((\d{1,12})\))?/.exec(pair.value);
      facts.version = match?.[1] ?? null;
      facts.build = match?.[2] ?? null;
      if (!match) warnings.push(`unreadable Docker Desktop version "${pair.value}"`);
    } else if (label === 'channel') facts.channel = pair.value;
    else if (label === 'os name') facts.osName = pair.value;
    else if (label === 'windows build number') facts.windowsBuild = pair.value;
  }

  if (facts.version === null) warnings.push('no Docker Desktop version found');
  return { value: facts, warnings };
}

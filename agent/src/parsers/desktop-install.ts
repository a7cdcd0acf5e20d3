import type { Parsed } from './parsed.js';

/** Docker Desktop as installed, read where it is known without a running daemon. */
export interface InstalledDesktop {
  version: string;
  build: string | null;
}

const VERSION = /^\d+\.\d+\.\d+$/;

/**
 * `reg query …\Uninstall\Docker Desktop /v DisplayVersion` on Windows: a line
 * `    DisplayVersion    REG_SZ    4.37.1`. The value name and type are not translated.
 */
export function parseRegDisplayVersion(text: string): Parsed<InstalledDesktop | null> {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*DisplayVersion\s+REG_SZ\s+(\S+)\s*$/.exec(line);
    if (match?.[1]) return versioned(match[1], null);
  }
  return { value: null, warnings: ['no DisplayVersion value in the registry output'] };
}

/**
 * `/Applications/Docker.app/Contents/Info.plist` on macOS: CFBundleShortVersionString holds the
 * version and CFBundleVersion the build number that `docker version` shows in parentheses.
 */
export function parseInfoPlist(text: string): Parsed<InstalledDesktop | null> {
  const version = plistString(text, 'CFBundleShortVersionString');
  if (!version) return { value: null, warnings: ['no CFBundleShortVersionString in Info.plist'] };

  const build = plistString(text, 'CFBundleVersion');
  return versioned(version, build && /^\d+$/.test(build) ? build : null);
}

/** `dpkg-query -W -f='${Version}' docker-desktop` or rpm's VERSION-RELEASE: `4.43.2-200950`. */
export function parsePackageVersion(text: string): Parsed<InstalledDesktop | null> {
  const match = /^(\d+\.\d+\.\d+)(?:-(\d+))?/.exec(text.trim());
  if (!match?.[1]) return { value: null, warnings: ['no version in the package query output'] };
  return versioned(match[1], match[2] ?? null);
}

function plistString(text: string, key: string): string | null {
  // A plist is XML with <key> and its value as the next element; only plain strings are read.
  const pattern = new RegExp(`<key>${key}</key>\\s*<string>([^<]{1,64})</string>`);
  return pattern.exec(text)?.[1]?.trim() ?? null;
}

function versioned(version: string, build: string | null): Parsed<InstalledDesktop | null> {
  if (!VERSION.test(version)) {
    return { value: null, warnings: [`not a Docker Desktop version: ${version.slice(0, 64)}`] };
  }
  return { value: { version, build }, warnings: [] };
}

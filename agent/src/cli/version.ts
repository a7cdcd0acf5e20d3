import { readFileSync } from 'node:fs';

/**
 * The agent's version from its package.json, which sits two folders up from both src/cli and
 * dist/cli, so the same lookup works from the sources (tests) and from the build.
 */
export function readAgentVersion(): string {
  try {
    const file = new URL('../../package.json', import.meta.url);
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version.slice(0, 32) : '0.0.0-unknown';
  } catch {
    return '0.0.0-unknown';
  }
}

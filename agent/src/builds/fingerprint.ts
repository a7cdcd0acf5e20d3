import { createHash } from 'node:crypto';

/**
 * A short hash of the environment a build ran on (Desktop, engine, WSL, kernel, path kind…):
 * two builds with the same fingerprint ran on the same setup, so their times compare. Keys are
 * sorted, so the order the facts were collected in does not matter.
 */
export function fingerprintOf(facts: Record<string, string>): string {
  const canonical = Object.keys(facts)
    .sort()
    .map((key) => `${key}=${facts[key]}`)
    .join('\n');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The outputs and files the parsers read; `unknown` is anything else in a paste. */
export const PARSE_KINDS = [
  'docker-version',
  'docker-info',
  'plugin-versions',
  'desktop-version',
  'wsl-version',
  'wsl-list',
  'wsl-status',
  'wslconfig',
  'wsl-conf',
  'desktop-settings',
  'buildx-history',
] as const;

export type KnownKind = (typeof PARSE_KINDS)[number];
export type ParseKind = KnownKind | 'unknown';

export function isParseKind(value: string): value is ParseKind {
  return value === 'unknown' || (PARSE_KINDS as readonly string[]).includes(value);
}

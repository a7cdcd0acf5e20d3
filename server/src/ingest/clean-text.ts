// Control characters (C0, C1) and Unicode bidirectional controls (LRE…RLO, LRI…PDI, LRM/RLM/ALM)
// have no business in a host name or a version, and a right-to-left override in a reported value
// would let a laptop make "exe.png" read as "gnp.exe" on the dashboard, in CSV and in Slack.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** A reported string as the dashboard may show it: unsafe controls replaced by U+FFFD. */
export function cleanText(text: string): string {
  return text.replace(UNSAFE, '\uFFFD');
}

/** The same object with every string property cleaned. */
export function cleanStrings<T extends object>(row: T): T {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'string') out[key] = cleanText(value);
  }
  return out as T;
}

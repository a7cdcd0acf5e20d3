import { createHash } from 'node:crypto';

import type { Report } from '@devfleet/wire';

export interface Redaction {
  /** Replace user names (the report's and those in home paths) with a salted hash. */
  user: boolean;
  /** Replace home-directory prefixes in every string with `~`. */
  paths: boolean;
  /** Secret to the machine (or the team): without it a hash cannot be matched to a name. */
  salt: string;
  /** This machine's home directories, besides the usual forms that the patterns below find. */
  homes: readonly string[];
}

// Folders under /Users and C:\Users that belong to no one.
const NOT_USERS = new Set(['shared', 'public', 'default', 'default user', 'all users']);

// A home-directory prefix and the user name after it, in the forms reports carry: Linux and
// macOS homes, Windows profiles (also as seen from WSL under /mnt/<drive>), and a WSL home seen
// from Windows (\\wsl$\<distro>\home\<user>). Separators may be doubled: JSON-escaped text in
// problem messages carries `C:\\Users\\devuser`. Leftmost match wins, so /mnt/c/Users/x is taken
// whole before /Users/x could match inside it.
const HOME_PATTERN = new RegExp(
  String.raw`(?<![\w.$-])(` +
    [
      String.raw`[\\/]{2,4}wsl(?:\$|\.localhost)[\\/]+[^\\/\s"']+[\\/]+home[\\/]+`,
      String.raw`/mnt/[a-z]/Users/`,
      String.raw`[A-Za-z]:[\\/]+Users[\\/]+`,
      String.raw`/home/`,
      String.raw`/Users/`,
    ].join('|') +
    String.raw`)([^\\/\s"':;,]+)`,
  'gi',
);
const ROOT_HOME = /(?<![\w.$-])\/root(?=[\\/\s"':;,]|$)/g;

/**
 * The report as it may leave a machine whose owner asked for redaction. Every string field is
 * rewritten (paths in benchmarks, Desktop's shared folders, problem messages, .wslconfig values
 * such as a custom kernel path), so a field added to the wire format later is covered too.
 */
export function redactReport(report: Report, redaction: Redaction): Report {
  if (!redaction.user && !redaction.paths) return report;

  const redacted = mapStrings(report, (text) => redactText(text, redaction)) as Report;
  if (redaction.user) {
    const { user, hostname } = report.host;
    redacted.host = {
      ...redacted.host,
      user: hashUser(user, redaction.salt),
      hostname: redactHostname(hostname, user, redaction.salt),
    };
  }
  return redacted;
}

export function redactText(text: string, redaction: Redaction): string {
  let out = text;

  if (redaction.paths) {
    for (const home of redaction.homes) out = replacePrefix(out, home, '~');
    out = out.replace(HOME_PATTERN, (whole, _prefix: string, name: string) =>
      NOT_USERS.has(name.toLowerCase()) ? whole : '~',
    );
    out = out.replace(ROOT_HOME, '~');
  }

  if (redaction.user) {
    out = out.replace(HOME_PATTERN, (whole, prefix: string, name: string) =>
      NOT_USERS.has(name.toLowerCase()) || name.startsWith('user-')
        ? whole
        : `${prefix}${hashUser(name, redaction.salt)}`,
    );
  }
  return out;
}

/** `user-` and 8 hex digits of a salted SHA-256: stable for one salt, one name. */
export function hashUser(name: string, salt: string): string {
  // Windows and macOS compare user names without case: DEVUSER and devuser are one person.
  const digest = createHash('sha256').update(`${salt}\0${name.toLowerCase()}`).digest('hex');
  return `user-${digest.slice(0, 8)}`;
}

/**
 * Host names often carry their owner's name: DEVUSER-LAPTOP on Windows, Devusers-MacBook-Pro (from
 * "Devuser's MacBook Pro") on macOS. The name is replaced where it stands as a whole word.
 */
export function redactHostname(hostname: string, user: string, salt: string): string {
  if (user.length < 2) return hostname;
  const escaped = user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = new RegExp(`(?<![A-Za-z0-9])${escaped}s?(?![A-Za-z0-9])`, 'gi');
  return hostname.replace(word, hashUser(user, salt));
}

function replacePrefix(text: string, home: string, by: string): string {
  if (home.length < 2) return text;
  const escaped = home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only a whole path component: /home/dev must not eat the start of /home/devuser.
  return text.replace(new RegExp(`${escaped}(?=[\\\\/\\s"':;,]|$)`, 'g'), by);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]),
    );
  }
  return value;
}

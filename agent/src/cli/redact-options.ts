import os from 'node:os';
import path from 'node:path';

import type { Report } from '@devfleet/wire';
import { Option } from 'commander';

import { assertValidReport } from '../collectors/collect-report.js';
import { defaultConfigPath } from '../config/agent-config.js';
import { redactReport } from '../privacy/redact.js';
import { loadRedactionSalt } from '../privacy/salt.js';

export interface RedactOptions {
  redactUser?: boolean;
  redactPaths?: boolean;
}

/** The privacy flags, for every command that prints or sends a report. */
export const redactOptions = {
  user: () => new Option('--redact-user', 'replace user names with a salted hash (user-3f2a9c1b)'),
  paths: () => new Option('--redact-paths', 'replace home folders in paths and messages with ~'),
};

/** The report with what the flags ask removed; the same report when none is given. */
export async function applyRedaction(report: Report, options: RedactOptions): Promise<Report> {
  const user = options.redactUser === true;
  const paths = options.redactPaths === true;
  if (!user && !paths) return report;

  const salt = user ? await loadRedactionSalt(path.dirname(defaultConfigPath())) : '';
  const redacted = redactReport(report, { user, paths, salt, homes: [os.homedir()] });
  // A hash can be longer than the name it replaces; the wire schema's bounds still hold.
  assertValidReport(redacted);
  return redacted;
}

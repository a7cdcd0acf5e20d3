import path from 'node:path';

import { AgentError } from './agent-error.js';

// What writing a file or making a folder fails with when the place is wrong, not the agent:
// EEXIST and ENOTDIR when a file stands where a folder must be (DEVFLEET_AGENT_HOME naming a
// file), EISDIR for the reverse.
const HINTS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EEXIST: 'a file stands where a folder is needed',
  ENOTDIR: 'a file stands where a folder is needed',
  EISDIR: 'a folder stands where a file is needed',
};

/**
 * A file-system error met under the config directory, as AGENT_CONFIG_UNWRITABLE naming the
 * path; null for any other error. The agent keeps its spool, salt, locks and queued builds
 * there, so a folder it cannot write is the user's to fix, not a bug.
 */
export function asConfigUnwritable(error: unknown, configDir: string): AgentError | null {
  if (!(error instanceof Error)) return null;
  const { code, path: file } = error as NodeJS.ErrnoException;
  const hint = code ? HINTS[code] : undefined;
  if (!hint || !file || !isWithin(configDir, file)) return null;

  return new AgentError(
    'AGENT_CONFIG_UNWRITABLE',
    `cannot write ${file}: ${hint} (${code}); the agent keeps its files in ${configDir}, which ` +
      'must be a folder it can write (--home or DEVFLEET_AGENT_HOME chooses another)',
    { cause: error },
  );
}

function isWithin(dir: string, file: string): boolean {
  const relative = path.relative(path.resolve(dir), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

import { readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { AgentInvocation } from './plan.js';
import { schedulePath } from './schedule-path.js';

/**
 * How a scheduler should start this agent: node and the script it runs now, or the executable
 * itself when the agent is a single executable (argv[1] is then the executable again).
 */
export function currentInvocation(configDir: string): AgentInvocation {
  const script = process.argv[1];
  const programArgs =
    script && path.resolve(script) !== process.execPath ? [realpathOrSelf(script)] : [];

  const env: Record<string, string> = {};
  const jobPath = schedulePath(process.env.PATH ?? '', path.delimiter);
  if (process.platform !== 'win32' && jobPath) env.PATH = jobPath;
  if (process.env.DEVFLEET_AGENT_HOME) env.DEVFLEET_AGENT_HOME = process.env.DEVFLEET_AGENT_HOME;

  return {
    program: process.execPath,
    programArgs,
    env,
    logFile: path.join(configDir, 'schedule.log'),
  };
}

/** True when the agent runs from npx's cache, which npm may empty at any time. */
export function runsFromNpxCache(invocation: AgentInvocation): boolean {
  return invocation.programArgs.some((arg) => /[\\/]_npx[\\/]/.test(arg));
}

/**
 * What the jitter hashes: the OS's machine id where there is one (stable across renames and
 * re-enrollment), else the host name.
 */
export function jitterSeed(): string {
  try {
    const id = readFileSync('/etc/machine-id', 'utf8').trim();
    if (id) return id;
  } catch {
    // Not Linux, or a container without one.
  }
  return os.hostname();
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

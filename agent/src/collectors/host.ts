import os from 'node:os';

import type { Host, Problem } from '@devfleet/wire';

import { clip, commandProblem, problem, type CollectContext } from './context.js';
import { readTextFile } from './read-file.js';
import { runCommand } from './run-command.js';
import { collectWslInside } from './wsl-inside.js';

export interface HostFacts {
  host: Host;
  problems: Problem[];
}

export async function collectHost(context: CollectContext): Promise<HostFacts> {
  const problems: Problem[] = [];
  const [osName, wsl] = await Promise.all([
    readOsName(context, problems),
    process.platform === 'linux' ? collectWslInside(context) : null,
  ]);

  const host: Host = {
    hostname: clip(os.hostname()),
    platform: process.platform,
    osName: clip(osName),
    release: clip(os.release()),
    arch: os.arch(),
    // os.cpus() is empty where /proc/cpuinfo is hidden (some containers, Android).
    cpus: os.cpus().length || os.availableParallelism(),
    memoryBytes: os.totalmem(),
    user: clip(currentUser()),
    wsl,
  };
  return { host, problems };
}

/** The login name; os.userInfo() throws for a uid without a passwd entry (containers). */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER || env.USERNAME || env.LOGNAME || 'unknown';
  }
}

async function readOsName(context: CollectContext, problems: Problem[]): Promise<string> {
  if (process.platform === 'linux') return readLinuxOsName(context, problems);
  if (process.platform === 'darwin') return readMacOsName(context, problems);
  // On Windows os.version() already names the edition ("Windows 11 Pro").
  return os.version();
}

// os-release(5): /etc/os-release wins, /usr/lib/os-release is the vendor's fallback.
async function readLinuxOsName(context: CollectContext, problems: Problem[]) {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const result = await readTextFile(file, context);
    if (result.text !== null) return prettyName(result.text) ?? os.type();
    if (result.error !== 'not-found') {
      problems.push(problem('host', 'FILE_UNREADABLE', result.message ?? file));
    }
  }
  return os.type();
}

async function readMacOsName(context: CollectContext, problems: Problem[]) {
  const result = await runCommand('sw_vers', [], context);
  const name = result.exitCode === 0 ? macOsName(result.stdout) : null;
  if (name) return name;

  problems.push(
    commandProblem('host', result) ??
      problem('host', 'COMMAND_FAILED', `sw_vers: ${result.stderr}`),
  );
  return os.version();
}

/** PRETTY_NAME from os-release(5), whose values may be quoted shell-style. */
export function prettyName(osRelease: string): string | null {
  const line = osRelease.split('\n').find((entry) => entry.startsWith('PRETTY_NAME='));
  if (!line) return null;

  const value = line.slice('PRETTY_NAME='.length).trim();
  const unquoted = value.replace(/^(["'])(.*)\1$/, '$2');
  return unquoted || null;
}

/** "macOS 14.2.1 (23C71)" from sw_vers' `ProductName:\tmacOS` lines. */
export function macOsName(swVers: string): string | null {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(swVers)?.[1]?.trim();
  const product = field('ProductName');
  const version = field('ProductVersion');
  const build = field('BuildVersion');
  if (!product || !version) return null;
  return build ? `${product} ${version} (${build})` : `${product} ${version}`;
}

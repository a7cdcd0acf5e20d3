import path from 'node:path';

import type { Problem, Wsl } from '@devfleet/wire';

import { decodeToString } from '../parsers/decode.js';
import { parseWslList, type WslListFacts } from '../parsers/wsl-list.js';
import { parseWslVersion, type WslVersionFacts } from '../parsers/wsl-version.js';
import { parseWslConfig } from '../parsers/wslconfig.js';
import type { Parsed } from '../parsers/parsed.js';
import { commandProblem, fileProblem, problem, type CollectContext } from './context.js';
import { readFileBytes } from './read-file.js';
import { runCommand, type CommandResult } from './run-command.js';
import type { WindowsFolders } from './windows-folders.js';

export interface WslFacts {
  wsl: Wsl | null;
  problems: Problem[];
}

/** WSL as Windows sees it: `wsl.exe --version`, `wsl.exe -l -v` and the user's .wslconfig. */
export async function collectWslFromWindows(
  context: CollectContext,
  folders: Promise<WindowsFolders | null>,
): Promise<WslFacts> {
  // wsl.exe does not need the folders: it starts while cmd.exe is still being asked for them.
  const [versionRun, listRun, wslConfig] = await Promise.all([
    runWsl(['--version'], context),
    runWsl(['-l', '-v'], context),
    folders.then((found) =>
      found ? readFileBytes(joinFor(found.userProfile, '.wslconfig'), context) : null,
    ),
  ]);

  // No wsl.exe at all: WSL is not there, which is a fact rather than a problem.
  if (versionRun.error === 'not-found') return { wsl: null, problems: [] };

  const problems: Problem[] = [];
  const version = parseRun('wsl-version', versionRun, parseWslVersion, problems);
  const list = parseRun('wsl-list', listRun, parseWslList, problems);
  if (!version && !list) return { wsl: null, problems };

  const config = wslConfig?.text ? parseWslConfig(wslConfig.text) : { value: [], warnings: [] };
  for (const warning of config.warnings)
    problems.push(problem('wslconfig', 'PARSE_WARNING', warning));
  const unreadable = wslConfig && fileProblem('wslconfig', wslConfig);
  if (unreadable) problems.push(unreadable);

  return { wsl: combineWsl(version, list, config.value.slice(0, 128)), problems };
}

export function combineWsl(
  version: WslVersionFacts | null,
  list: WslListFacts | null,
  config: Wsl['config'],
): Wsl {
  return {
    version: version?.version ?? null,
    kernelVersion: version?.kernelVersion ?? null,
    windowsVersion: version?.windowsVersion ?? null,
    defaultDistro: list?.defaultDistro ?? null,
    distros: (list?.distros ?? []).slice(0, 64),
    config,
  };
}

// wsl.exe writes UTF-16LE unless WSL_UTF8=1; the bytes go to decode() to settle which it was.
function runWsl(args: string[], context: CollectContext) {
  return runCommand('wsl.exe', args, { ...context, encoding: 'buffer' });
}

function parseRun<T>(
  source: string,
  run: CommandResult<Buffer>,
  parse: (text: string) => Parsed<T>,
  problems: Problem[],
): T | null {
  const failure = commandProblem(source, run);
  if (failure) {
    problems.push(failure);
    return null;
  }

  // Old in-box wsl.exe answers --version with its usage text and exit code -1: the parser
  // recognizes that, so a failing exit code still goes to it.
  const parsed = parse(decodeToString(run.stdout));
  for (const warning of parsed.warnings) problems.push(problem(source, 'PARSE_WARNING', warning));
  return parsed.value;
}

// Inside WSL the profile is a Linux path (/mnt/c/Users/devuser); on Windows a Windows one.
function joinFor(folder: string, name: string): string {
  return folder.includes('\\') ? path.win32.join(folder, name) : path.posix.join(folder, name);
}

import os from 'node:os';
import path from 'node:path';

import type { Problem } from '@devfleet/wire';

import { commandProblem, problem, type CollectContext } from './context.js';
import { runCommand } from './run-command.js';

/** The Windows user's folders, as paths this process can open. */
export interface WindowsFolders {
  userProfile: string;
  appData: string;
}

export interface FoldersResult {
  folders: WindowsFolders | null;
  problems: Problem[];
}

export async function findWindowsFolders(context: CollectContext): Promise<FoldersResult> {
  if (process.platform === 'win32') {
    const userProfile = process.env.USERPROFILE || os.homedir();
    const appData = process.env.APPDATA || path.win32.join(userProfile, 'AppData', 'Roaming');
    return { folders: { userProfile, appData }, problems: [] };
  }
  return findFromWsl(context);
}

/**
 * Inside WSL the Windows environment is not inherited (unless WSLENV forwards it), so ask
 * cmd.exe for it and let wslpath map it, since the mount root is configurable in wsl.conf.
 */
async function findFromWsl(context: CollectContext): Promise<FoldersResult> {
  // `/d` skips AutoRun scripts, which could print anything; cmd.exe also complains on stderr
  // when started from a Linux folder, which is harmless.
  const echo = await runCommand(
    'cmd.exe',
    ['/d', '/c', 'echo', '%USERPROFILE%|%APPDATA%'],
    context,
  );
  const failure = commandProblem('windows-folders', echo);
  if (failure) return { folders: null, problems: [failure] };

  const [userProfile, appData] = echo.stdout
    .trim()
    .split('|')
    .map((part) => part.trim());
  if (!userProfile || !appData || userProfile.includes('%')) {
    const message = `cmd.exe did not expand %USERPROFILE%: ${echo.stdout.trim()}`;
    return { folders: null, problems: [problem('windows-folders', 'UNEXPECTED_OUTPUT', message)] };
  }

  const [profilePath, appDataPath] = await Promise.all(
    [userProfile, appData].map((windowsPath) =>
      runCommand('wslpath', ['-u', windowsPath], context),
    ),
  );
  if (profilePath?.exitCode !== 0 || appDataPath?.exitCode !== 0) {
    const message = `wslpath could not map ${userProfile}: ${profilePath?.stderr ?? ''}`;
    return { folders: null, problems: [problem('windows-folders', 'COMMAND_FAILED', message)] };
  }
  return {
    folders: { userProfile: profilePath.stdout.trim(), appData: appDataPath.stdout.trim() },
    problems: [],
  };
}

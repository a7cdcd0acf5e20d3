import type { DesktopSettings, Problem } from '@devfleet/wire';

import { parseDesktopSettings } from '../parsers/desktop-settings.js';
import { fileProblem, problem, type CollectContext } from './context.js';
import { readTextFile } from './read-file.js';
import type { WindowsFolders } from './windows-folders.js';

export interface DesktopSettingsFacts {
  desktopSettings: DesktopSettings | null;
  problems: Problem[];
}

// Docker Desktop 4.35 moved its settings to settings-store.json; older releases keep
// settings.json. The newer file wins when both are left behind by an upgrade.
const SETTINGS_FILES = ['settings-store.json', 'settings.json'];

export async function collectDesktopSettings(
  context: CollectContext,
  folders: WindowsFolders | null,
): Promise<DesktopSettingsFacts> {
  if (!folders) return { desktopSettings: null, problems: [] };

  const problems: Problem[] = [];
  for (const name of SETTINGS_FILES) {
    const file = joinWindowsFolder(folders.appData, 'Docker', name);
    const result = await readTextFile(file, context);
    const unreadable = fileProblem('desktop-settings', result);
    if (unreadable) problems.push(unreadable);
    if (result.text === null) continue;

    const parsed = parseDesktopSettings(result.text, name);
    for (const warning of parsed.warnings) {
      problems.push(problem('desktop-settings', 'PARSE_WARNING', warning));
    }
    return { desktopSettings: parsed.value, problems };
  }
  // Docker Desktop is not installed for this user (or never started): nothing to say.
  return { desktopSettings: null, problems };
}

function joinWindowsFolder(folder: string, ...parts: string[]): string {
  const separator = folder.includes('\\') ? '\\' : '/';
  return [folder.replace(/[\\/]+$/, ''), ...parts].join(separator);
}

import type { DesktopSettings, Host, Problem, Wsl } from '@devfleet/wire';

import type { CollectContext } from './context.js';
import { collectDesktopSettings } from './desktop-settings.js';
import { findWindowsFolders } from './windows-folders.js';
import { collectWslFromWindows } from './wsl-windows.js';

export interface WindowsFacts {
  wsl: Wsl | null;
  desktopSettings: DesktopSettings | null;
  problems: Problem[];
}

/** Windows-side facts are reachable from Windows itself, and from WSL through interop. */
export function canReachWindows(host: Host): boolean {
  return host.platform === 'win32' || host.wsl?.interop === true;
}

export async function collectWindows(context: CollectContext, host: Host): Promise<WindowsFacts> {
  if (!canReachWindows(host)) return { wsl: null, desktopSettings: null, problems: [] };

  const lookup = findWindowsFolders(context);
  const [folders, wsl, desktop] = await Promise.all([
    lookup,
    collectWslFromWindows(
      context,
      lookup.then((found) => found.folders),
    ),
    lookup.then((found) => collectDesktopSettings(context, found.folders)),
  ]);
  context.debug(`windows folders: ${JSON.stringify(folders.folders)}`);

  return {
    wsl: wsl.wsl,
    desktopSettings: desktop.desktopSettings,
    problems: [...folders.problems, ...wsl.problems, ...desktop.problems],
  };
}

import type { Problem } from '@devfleet/wire';

import {
  parseInfoPlist,
  parsePackageVersion,
  parseRegDisplayVersion,
  type InstalledDesktop,
} from '../parsers/desktop-install.js';
import type { Parsed } from '../parsers/parsed.js';
import { problem, type CollectContext } from './context.js';
import { readTextFile } from './read-file.js';
import { runCommand } from './run-command.js';

const UNINSTALL_KEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Docker Desktop';
const INFO_PLIST = '/Applications/Docker.app/Contents/Info.plist';

/**
 * Docker Desktop's version from where it is installed: the Windows uninstall key (HKLM, then
 * HKCU), macOS's Info.plist, or the Linux package. Used when the daemon is down and `docker
 * version` cannot say; null when Desktop is not installed or the source cannot be read.
 */
export async function collectInstalledDesktop(
  context: CollectContext,
  platform: NodeJS.Platform,
  options: { windowsInterop: boolean },
): Promise<{ desktop: InstalledDesktop | null; problems: Problem[] }> {
  const attempts: (() => Promise<Parsed<InstalledDesktop | null> | null>)[] = [];

  if (platform === 'win32' || options.windowsInterop) {
    // Inside WSL the same query runs through interop as reg.exe.
    const reg = platform === 'win32' ? 'reg' : 'reg.exe';
    for (const hive of ['HKLM', 'HKCU']) {
      attempts.push(() =>
        query(
          context,
          reg,
          ['query', `${hive}\\${UNINSTALL_KEY}`, '/v', 'DisplayVersion'],
          parseRegDisplayVersion,
        ),
      );
    }
  } else if (platform === 'darwin') {
    attempts.push(async () => {
      const file = await readTextFile(INFO_PLIST, context);
      return file.text === null ? null : parseInfoPlist(file.text);
    });
  } else if (platform === 'linux') {
    attempts.push(() =>
      query(context, 'dpkg-query', ['-W', '-f=${Version}', 'docker-desktop'], parsePackageVersion),
    );
    attempts.push(() =>
      query(
        context,
        'rpm',
        ['-q', '--qf', '%{VERSION}-%{RELEASE}', 'docker-desktop'],
        parsePackageVersion,
      ),
    );
  }

  for (const attempt of attempts) {
    const parsed = await attempt();
    if (parsed?.value) {
      const problems = parsed.warnings.map((w) =>
        problem('desktop-install', 'DESKTOP_INSTALL_WARNING', w),
      );
      return { desktop: parsed.value, problems };
    }
  }
  return { desktop: null, problems: [] };
}

async function query(
  context: CollectContext,
  command: string,
  args: string[],
  parse: (text: string) => Parsed<InstalledDesktop | null>,
): Promise<Parsed<InstalledDesktop | null> | null> {
  const run = await runCommand(command, args, context);
  // Absent tool, absent key or package: not installed here, which is no problem to report.
  if (run.error !== null || run.exitCode !== 0) return null;
  return parse(run.stdout);
}

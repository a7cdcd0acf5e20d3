import type { Host } from '@devfleet/wire';

import type { CollectContext } from './context.js';
import { pathExists, readTextFile } from './read-file.js';

type WslInside = NonNullable<Host['wsl']>;

/** Facts about the WSL distro the agent runs in, or null outside WSL. */
export async function collectWslInside(context: CollectContext): Promise<WslInside | null> {
  const procVersion = await readTextFile('/proc/version', context);
  if (procVersion.text === null || !/microsoft/i.test(procVersion.text)) return null;

  // Newer WSL registers the interpreter as WSLInterop-late; either one means interop works.
  const interop =
    Boolean(process.env.WSL_INTEROP) ||
    (await pathExists('/proc/sys/fs/binfmt_misc/WSLInterop', context)) ||
    (await pathExists('/proc/sys/fs/binfmt_misc/WSLInterop-late', context));

  return {
    distro: process.env.WSL_DISTRO_NAME || null,
    version: wslVersionOf(procVersion.text),
    interop,
  };
}

/**
 * WSL 2 kernels say "microsoft-standard-WSL2" (5.x) or "microsoft-standard" (4.19, 2020);
 * WSL 1 reports the Windows build as a fake 4.4.0 kernel, e.g. "4.4.0-19041-Microsoft".
 */
export function wslVersionOf(procVersion: string): 1 | 2 | null {
  if (/WSL2|microsoft-standard/i.test(procVersion)) return 2;
  if (/-Microsoft\b/.test(procVersion)) return 1;
  return null;
}

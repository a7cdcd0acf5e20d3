import { readFile } from 'node:fs/promises';

import type { PathKind } from '@devfleet/wire';

export interface PathKindInput {
  platform: NodeJS.Platform;
  /** Whether the agent runs inside a WSL distro (see collectors/wsl-inside.ts). */
  insideWsl: boolean;
  path: string;
}

/**
 * Where a bind-mounted host folder lives decides which file sharing Docker uses: inside WSL,
 * `/mnt/c/...` crosses to Windows over 9P (many times slower for small files) while the distro's
 * home is its own ext4.
 */
export function pathKindOf({ platform, insideWsl, path }: PathKindInput): PathKind {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos-host';
  if (platform !== 'linux') return 'unknown';
  if (!insideWsl) return 'linux';
  return /^\/mnt\/[a-z](?:\/|$)/i.test(path) ? 'windows-drive-via-wsl' : 'wsl-ext4';
}

/** True inside a WSL distro, whose kernel names Microsoft in /proc/version. */
export async function detectWsl(platform: NodeJS.Platform = process.platform): Promise<boolean> {
  if (platform !== 'linux') return false;
  try {
    return /microsoft/i.test(await readFile('/proc/version', 'utf8'));
  } catch {
    return false;
  }
}

export async function hostPathKind(folder: string): Promise<PathKind> {
  const insideWsl = await detectWsl();
  return pathKindOf({ platform: process.platform, insideWsl, path: folder });
}

import path from 'node:path';

export interface ConfigDirInput {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  homeDir: string;
}

/**
 * Where the agent keeps its enrollment. Pure so that every platform's rule is testable on any
 * platform; callers pass process.platform, process.env and os.homedir().
 */
export function resolveConfigDir({ platform, env, homeDir }: ConfigDirInput): string {
  const override = env.DEVFLEET_AGENT_HOME;
  if (override) return override;

  if (platform === 'win32') {
    // APPDATA is missing in some service accounts and stripped environments; the roaming
    // folder under the profile is where it points by default.
    const appData = env.APPDATA || path.win32.join(homeDir, 'AppData', 'Roaming');
    return path.win32.join(appData, 'devfleet');
  }
  if (platform === 'darwin') {
    return path.posix.join(homeDir, 'Library', 'Application Support', 'devfleet');
  }

  // Linux and the other Unixes. The XDG spec says a relative XDG_CONFIG_HOME must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(homeDir, '.config');
  return path.posix.join(base, 'devfleet');
}

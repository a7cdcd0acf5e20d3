// The thresholds of the server's health rules (server/src/health/rules-config.ts, the defaults
// of HealthRulesSchema), mirrored because the agent never imports server code. A team that
// changes them in its DEVFLEET_RULES file should pass the same values to `doctor`.

/** rules-config.ts `memory.minWslGiB`: the .wslconfig [wsl2] memory limit below which builds starve. */
export const MIN_WSL_MEMORY_GIB = 4;

/** rules-config.ts `memory.minDesktopGiB`: Docker Desktop's own memory setting (Hyper-V, macOS). */
export const MIN_DESKTOP_MEMORY_GIB = 4;

/** rules-config.ts `desktopMinimum.version`: the oldest Docker Desktop the team supports. */
export const MIN_DESKTOP_VERSION = '4.34.0';

/** What the WSL memory fix suggests: the server's rule suggests max(8, minimum). */
export const SUGGESTED_WSL_MEMORY_GIB = Math.max(8, MIN_WSL_MEMORY_GIB);

import type { DaemonState } from '@devfleet/wire';

// How the docker CLI says it could not reach the daemon, across versions and platforms: the
// socket or named pipe is missing, Desktop answers 500 while it starts, or access is denied.
const DAEMON_ERRORS = [
  /^(?:ERROR:\s*)?Cannot connect to the Docker daemon\b/i,
  /^(?:ERROR:\s*)?error during connect\b/i,
  /^(?:ERROR:\s*)?request returned [^\n]{0,60}\bfor API route\b/i,
  /^(?:ERROR:\s*)?Error response from daemon\b/i,
  /^(?:ERROR:\s*)?permission denied while trying to connect to the Docker daemon\b/i,
  /^(?:ERROR:\s*)?failed to connect to the docker API\b/i,
  /^(?:ERROR:\s*)?Is the docker daemon running\?/i,
  /^(?:ERROR:\s*)?open \/\/\.\/pipe\/\S+: The system cannot find the file specified/i,
];

// How shells say there is no docker at all.
const NOT_INSTALLED = [
  /\bdocker: (?:command )?not found\b/i,
  /'docker' is not recognized as an internal or external command/i,
  /The term 'docker' is not recognized/i,
  /\bdocker: No such file or directory\b/i,
];

export function isDaemonError(line: string): boolean {
  const trimmed = line.trim();
  return DAEMON_ERRORS.some((pattern) => pattern.test(trimmed));
}

export function findDaemonError(lines: readonly string[]): string | null {
  for (const line of lines) {
    if (isDaemonError(line)) return line.trim().replace(/^ERROR:\s*/i, '');
  }
  return null;
}

export function isNotInstalled(lines: readonly string[]): boolean {
  return lines.some((line) => NOT_INSTALLED.some((pattern) => pattern.test(line)));
}

export function daemonStateOf(hasServer: boolean, lines: readonly string[]): DaemonState {
  if (hasServer) return 'running';
  return isNotInstalled(lines) ? 'not-installed' : 'unreachable';
}

import { execFileSync } from 'node:child_process';

/**
 * Whether a Docker engine answers here. CI starts one (scripts/docker-engine.sh) and sets
 * DEVFLEET_REQUIRE_DOCKER=1, so there a missing engine fails the run instead of skipping.
 */
export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    return true;
  } catch {
    if (process.env.DEVFLEET_REQUIRE_DOCKER === '1') {
      throw new Error('DEVFLEET_REQUIRE_DOCKER=1 but no Docker engine answers: start one');
    }
    return false;
  }
}

export function dockerFormat(command: 'version' | 'info', format: string): string {
  return execFileSync('docker', [command, '--format', format], {
    encoding: 'utf8',
    timeout: 10_000,
  }).trim();
}

import { execFileSync } from 'node:child_process';

export const MOUNT_IMAGE = 'devfleet-test/debian:bookworm';
export const GO_IMAGE = 'devfleet-test/golang:bookworm';

/**
 * Why the benchmark tests cannot run here, or null when the engine and the local test images
 * are there. CI sets DEVFLEET_REQUIRE_DOCKER=1, and then a missing engine fails instead.
 */
export function engineMissing(): string | null {
  const missing = findMissing();
  if (missing && process.env.DEVFLEET_REQUIRE_DOCKER === '1') {
    throw new Error(`DEVFLEET_REQUIRE_DOCKER=1 but ${missing}`);
  }
  return missing;
}

function findMissing(): string | null {
  try {
    docker(['info', '--format', '{{.ServerVersion}}']);
  } catch {
    return 'no Docker engine answers (scripts/docker-engine.sh starts one)';
  }
  for (const image of [MOUNT_IMAGE, GO_IMAGE]) {
    try {
      docker(['image', 'inspect', '--format', '{{.Id}}', image]);
    } catch {
      return `image ${image} is missing (scripts/docker-engine.sh --images builds it)`;
    }
  }
  return null;
}

export function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000 }).trim();
}

/** Containers and volumes any benchmark left behind, found by the label every one carries. */
export function leftovers(): { containers: string[]; volumes: string[] } {
  const list = (args: string[]) => docker(args).split('\n').filter(Boolean);
  return {
    containers: list(['ps', '--all', '--quiet', '--filter', 'label=devfleet.bench=1']),
    volumes: list(['volume', 'ls', '--quiet', '--filter', 'label=devfleet.bench=1']),
  };
}

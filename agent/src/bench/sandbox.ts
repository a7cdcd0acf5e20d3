import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';

import { describeFailure, execTool, type ToolResult } from './exec-tool.js';

/** Every container and volume a benchmark creates carries this label, for people and tests. */
export const BENCH_LABEL = 'devfleet.bench';
export const RUN_LABEL = 'devfleet.bench.run';
export const NAME_PREFIX = 'devfleet-bench-';

const DOCKER_TIMEOUT_MS = 60_000;

export interface Mount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface ContainerSpec {
  image: string;
  mounts: Mount[];
  volumes: { name: string; target: string }[];
  tmpfs: string[];
  /** The container removes itself after this long even if the agent dies (`sleep` + `--rm`). */
  lifetimeSeconds: number;
}

/**
 * Owns what one benchmark run creates: containers, named volumes and host folders. Everything is
 * recorded before it is created, so an interrupt between the request and the answer still finds
 * it, and `cleanup` removes it all whatever happened, also after a failure or a Ctrl-C.
 */
export class BenchSandbox {
  readonly runId = randomBytes(5).toString('hex');
  private readonly containers = new Set<string>();
  private readonly volumes = new Set<string>();
  private readonly folders = new Set<string>();
  /** Writable bind mounts per container: what the container empties before it is removed. */
  private readonly writableMounts: [container: string, target: string][] = [];

  constructor(private readonly debug: (message: string) => void = () => undefined) {}

  /** Starts a container that idles until `exec` gives it work; it never gets a network. */
  async startContainer(spec: ContainerSpec): Promise<string> {
    const name = `${NAME_PREFIX}${this.runId}-${this.containers.size + 1}`;
    this.containers.add(name);
    for (const mount of spec.mounts) {
      if (!mount.readOnly) this.writableMounts.push([name, mount.target]);
    }

    const args = ['run', '--detach', '--rm', '--network', 'none', '--name', name];
    args.push('--label', `${BENCH_LABEL}=1`, '--label', `${RUN_LABEL}=${this.runId}`);
    for (const mount of spec.mounts) {
      const mode = mount.readOnly ? ',readonly' : '';
      args.push(
        '--mount',
        `type=bind,${csvField(`source=${mount.source}`)},target=${mount.target}${mode}`,
      );
    }
    for (const volume of spec.volumes) {
      args.push('--mount', `type=volume,source=${volume.name},target=${volume.target}`);
    }
    for (const target of spec.tmpfs) args.push('--tmpfs', target);
    args.push('--entrypoint', 'sleep', spec.image, String(spec.lifetimeSeconds));

    // Not abortable on purpose: `docker run -d` returns within seconds, and letting it finish
    // means the container exists by name when cleanup runs, instead of appearing after it.
    await this.docker(args, 'start a container');
    return name;
  }

  async createVolume(): Promise<string> {
    const name = `${NAME_PREFIX}${this.runId}-vol${this.volumes.size + 1}`;
    this.volumes.add(name);
    await this.docker(
      [
        'volume',
        'create',
        '--label',
        `${BENCH_LABEL}=1`,
        '--label',
        `${RUN_LABEL}=${this.runId}`,
        name,
      ],
      'create a volume',
    );
    return name;
  }

  /** A fresh folder under `parent`, named so that a leftover is recognizable. */
  async makeFolder(parent: string, prefix = `.${NAME_PREFIX}`): Promise<string> {
    const folder = await mkdtemp(path.join(parent, prefix));
    this.folders.add(folder);
    return folder;
  }

  /** Runs a POSIX shell script in the container: `sh -c script sh ...args`. */
  exec(
    container: string,
    script: string,
    args: readonly string[],
    options: { timeoutMs: number; signal?: AbortSignal; env?: Record<string, string> },
  ): Promise<ToolResult> {
    const env = Object.entries(options.env ?? {}).flatMap(([key, value]) => [
      '--env',
      `${key}=${value}`,
    ]);
    return execTool('docker', ['exec', ...env, container, 'sh', '-c', script, 'sh', ...args], {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }

  /**
   * Removes containers, then volumes, then folders, and answers what could not be removed. Safe
   * to call twice.
   * Files a container wrote into a bind mount belong to its root user, which the agent may not
   * be on Linux, so the container empties its mounts before it goes.
   */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];

    for (const [container, target] of this.writableMounts.splice(0)) {
      await execTool('docker', ['exec', container, 'sh', '-c', 'rm -rf "$1"/*', 'sh', target], {
        timeoutMs: DOCKER_TIMEOUT_MS,
      });
    }

    // The label catches a container whose `docker run` was cut short before it answered.
    if (this.containers.size > 0) {
      const containers = [...this.containers, ...(await this.listByLabel(['ps', '--all']))];
      const removed = await execTool('docker', ['rm', '--force', '--volumes', ...containers], {
        timeoutMs: DOCKER_TIMEOUT_MS,
      });
      const left = await this.listByLabel(['ps', '--all']);
      if (left.length > 0) {
        problems.push(`containers left: ${left.join(', ')} (${describeFailure(removed)})`);
      }
    }
    this.containers.clear();

    if (this.volumes.size > 0) {
      const removed = await execTool('docker', ['volume', 'rm', '--force', ...this.volumes], {
        timeoutMs: DOCKER_TIMEOUT_MS,
      });
      const left = await this.listByLabel(['volume', 'ls']);
      if (left.length > 0) {
        problems.push(`volumes left: ${left.join(', ')} (${describeFailure(removed)})`);
      }
    }
    this.volumes.clear();

    for (const folder of this.folders) {
      try {
        await rm(folder, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        problems.push(`folder left: ${folder} (${(error as Error).message})`);
      }
    }
    this.folders.clear();

    for (const problem of problems) this.debug(`cleanup: ${problem}`);
    return problems;
  }

  private async listByLabel(command: string[]): Promise<string[]> {
    const result = await execTool(
      'docker',
      [...command, '--quiet', '--filter', `label=${RUN_LABEL}=${this.runId}`],
      { timeoutMs: DOCKER_TIMEOUT_MS },
    );
    return result.stdout.split('\n').filter((line) => line.trim() !== '');
  }

  private async docker(args: string[], what: string): Promise<void> {
    this.debug(`docker ${args.join(' ')}`);
    const result = await execTool('docker', args, { timeoutMs: DOCKER_TIMEOUT_MS });
    if (result.exitCode !== 0)
      throw new SandboxError(`could not ${what}: ${describeFailure(result)}`);
  }
}

// `--mount` is read as CSV: a host path with a comma or a quote must be quoted as a field.
function csvField(field: string): string {
  return /[",]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

export class SandboxError extends Error {
  override name = 'SandboxError';
}

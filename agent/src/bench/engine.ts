import { parseDesktopPlatformName } from '../parsers/desktop-version.js';
import { describeFailure, execTool } from './exec-tool.js';
import type { BenchSandbox } from './sandbox.js';
import { CLOCK_CHECK, scriptError } from './timed-script.js';

const QUERY_TIMEOUT_MS = 20_000;
const PULL_TIMEOUT_MS = 5 * 60_000;

export interface EngineFacts {
  engineVersion: string;
  desktopVersion: string | null;
}

export interface ImageFacts {
  image: string;
  /** The repo digest when the image came from a registry, else its local Id. */
  digest: string;
}

/** Why a benchmark cannot run at all; it becomes a 'skipped' run with this reason. */
export class BenchSkip extends Error {
  override name = 'BenchSkip';
}

/** The engine's version, or a BenchSkip saying why there is no engine to measure. */
export async function inspectEngine(signal?: AbortSignal): Promise<EngineFacts> {
  const result = await execTool(
    'docker',
    ['version', '--format', '{{.Server.Version}}|{{.Server.Platform.Name}}'],
    { timeoutMs: QUERY_TIMEOUT_MS, signal },
  );
  if (result.error === 'not-found') throw new BenchSkip('docker is not installed (not on PATH)');
  if (result.error === 'aborted') signal?.throwIfAborted();

  const [version = '', platform = ''] = result.stdout.trim().split('|');
  if (result.exitCode !== 0 || version === '' || version === '<no value>') {
    throw new BenchSkip(`no Docker daemon answers (${describeFailure(result)})`);
  }
  return {
    engineVersion: version.slice(0, 64),
    desktopVersion: parseDesktopPlatformName(platform)?.version ?? null,
  };
}

/**
 * The image and its digest, pulled first when it is missing and `pull` allows it. Pulling is
 * done before any timing starts, so network time never enters a sample.
 */
export async function ensureImage(
  image: string,
  options: { pull: boolean; signal?: AbortSignal },
): Promise<ImageFacts> {
  const found = await inspectImage(image, options.signal);
  if (found) return found;
  if (!options.pull) throw new BenchSkip(`image ${image} is not present (pulling is off)`);

  const pulled = await execTool('docker', ['pull', '--quiet', image], {
    timeoutMs: PULL_TIMEOUT_MS,
    signal: options.signal,
  });
  if (pulled.error === 'aborted') options.signal?.throwIfAborted();
  if (pulled.exitCode !== 0) {
    throw new BenchSkip(
      `image ${image} is not present and could not be pulled (${describeFailure(pulled)})`,
    );
  }
  const after = await inspectImage(image, options.signal);
  if (!after) throw new BenchSkip(`image ${image} is still missing after a pull`);
  return after;
}

async function inspectImage(image: string, signal?: AbortSignal): Promise<ImageFacts | null> {
  const result = await execTool(
    'docker',
    ['image', 'inspect', '--format', '{{.Id}}|{{json .RepoDigests}}', image],
    { timeoutMs: QUERY_TIMEOUT_MS, signal },
  );
  if (result.exitCode !== 0) return null;

  const [id = '', digests = ''] = result.stdout.trim().split('|');
  const digest = repoDigestsOf(digests).find((entry) => entry.includes('@sha256:')) ?? id;
  return digest ? { image, digest: digest.slice(0, 256) } : null;
}

/** The file system type Docker gave a mount point, as the container sees it in /proc/mounts. */
export function mountTypeOf(procMounts: string, target: string): string | null {
  for (const line of procMounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (mountPoint === target && type) return type.slice(0, 64);
  }
  return null;
}

function repoDigestsOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((entry) => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

/** Skips the benchmark when the image cannot time a phase (no nanosecond `date`). */
export async function checkClock(
  sandbox: BenchSandbox,
  container: string,
  image: string,
  signal: AbortSignal,
): Promise<void> {
  const result = await sandbox.exec(container, CLOCK_CHECK, [], { timeoutMs: 30_000, signal });
  signal.throwIfAborted();
  if (result.exitCode === 0) return;
  throw new BenchSkip(`image ${image}: ${scriptError(result.stdout) ?? describeFailure(result)}`);
}

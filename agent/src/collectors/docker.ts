import type { Docker, Problem } from '@devfleet/wire';

import { parseDockerInfo, type DockerInfoFacts } from '../parsers/docker-info.js';
import { parseDockerVersion, type DockerVersionFacts } from '../parsers/docker-version.js';
import type { Parsed } from '../parsers/parsed.js';
import {
  clip,
  commandProblem,
  describeResult,
  MAX_MESSAGE,
  problem,
  type CollectContext,
} from './context.js';
import { runCommand, type CommandResult } from './run-command.js';

export interface DockerFacts {
  docker: Docker;
  problems: Problem[];
}

const FORMAT = ['--format', '{{json .}}'];

/**
 * Asks the docker CLI about its client, daemon and engine. Both commands run at once: a daemon
 * that hangs makes each of them wait for the full timeout, and one timeout is enough to learn it.
 */
export async function collectDocker(context: CollectContext): Promise<DockerFacts> {
  const [versionRun, infoRun] = await Promise.all([
    runCommand('docker', ['version', ...FORMAT], context),
    runCommand('docker', ['info', ...FORMAT], context),
  ]);
  context.debug(
    `docker version: ${describeResult(versionRun)}, docker info: ${describeResult(infoRun)}`,
  );

  if (versionRun.error === 'not-found' || infoRun.error === 'not-found') {
    const missing = problem('docker', 'DOCKER_NOT_FOUND', 'no docker command on PATH');
    return { docker: notInstalled(), problems: [missing] };
  }

  const problems: Problem[] = [];
  const version = parseRun('docker-version', versionRun, parseDockerVersion, problems);
  const info = parseRun('docker-info', infoRun, parseDockerInfo, problems);
  const docker = combine(version, info, [versionRun, infoRun]);
  // The state says that the daemon was away; the problem puts it beside the other failures.
  if (docker.daemon.state === 'unreachable') {
    problems.push(
      problem('docker', 'DOCKER_DAEMON_UNREACHABLE', docker.daemon.error ?? 'no answer'),
    );
  }
  return { docker, problems };
}

function parseRun<T>(
  source: string,
  run: CommandResult,
  parse: (text: string) => Parsed<T>,
  problems: Problem[],
): T | null {
  const failure = commandProblem(source, run);
  if (failure) {
    problems.push(failure);
    return null;
  }

  // The CLI prints what it knows to stdout and the daemon's failure to stderr; the parsers
  // read both to tell "no daemon" from "daemon said something odd".
  const text = [run.stdout, run.stderr].filter((part) => part.trim() !== '').join('\n');
  try {
    const parsed = parse(text);
    for (const warning of parsed.warnings) problems.push(problem(source, 'PARSE_WARNING', warning));
    return parsed.value;
  } catch (error) {
    // Parsers are meant to be total; if one is not, the report still goes out without its facts.
    problems.push(
      problem(source, 'PARSER_FAILED', error instanceof Error ? error.message : String(error)),
    );
    return null;
  }
}

function combine(
  version: DockerVersionFacts | null,
  info: DockerInfoFacts | null,
  runs: CommandResult[],
): Docker {
  const context = info?.context ?? null;
  const client = version?.client ?? null;

  return {
    daemon: daemonOf(version, info, runs),
    client: client && { ...client, context: client.context ?? context },
    server: version?.server ?? null,
    desktop: version?.desktop ?? null,
    engine: info?.engine ?? null,
    plugins: (info?.plugins ?? []).slice(0, 64),
    warnings: (info?.dockerWarnings ?? []).slice(0, 64).map((text) => clip(text, MAX_MESSAGE)),
  };
}

/** Running when either command reached the daemon; otherwise the first reason we have. */
function daemonOf(
  version: DockerVersionFacts | null,
  info: DockerInfoFacts | null,
  runs: CommandResult[],
): Docker['daemon'] {
  const states = [version?.daemon, info?.daemon].filter((daemon) => daemon !== undefined);
  if (states.some((daemon) => daemon.state === 'running')) return { state: 'running', error: null };
  if (states.length > 0 && states.every((daemon) => daemon.state === 'not-installed')) {
    return notInstalled().daemon;
  }

  const reason =
    states.find((daemon) => daemon.error)?.error ??
    runs.find((run) => run.error !== null || run.exitCode !== 0)?.stderr.trim() ??
    'the docker CLI gave no answer about the daemon';
  return {
    state: 'unreachable',
    error: clip(reason || 'docker failed without a message', MAX_MESSAGE),
  };
}

function notInstalled(): Docker {
  return {
    daemon: { state: 'not-installed', error: null },
    client: null,
    server: null,
    desktop: null,
    engine: null,
    plugins: [],
    warnings: [],
  };
}

import { readdir } from 'node:fs/promises';

import { hostPathKind } from '../bench/path-kind.js';
import type { ProjectFacts } from './checks.js';

// The names docker build and docker compose pick up by default.
const DOCKER_FILES = /^(Dockerfile(\..+)?|.+\.Dockerfile|(docker-)?compose(\..+)?\.ya?ml)$/i;

/** What doctor needs to know about the folder it runs in. */
export async function readProjectFacts(folder: string): Promise<ProjectFacts> {
  let names: string[] = [];
  try {
    names = await readdir(folder);
  } catch {
    // An unreadable folder has no Dockerfile as far as doctor can tell.
  }

  return {
    path: folder,
    pathKind: await hostPathKind(folder),
    buildsWithDocker: names.some((name) => DOCKER_FILES.test(name)),
    // BuildKit also reads <name>.Dockerfile.dockerignore beside a Dockerfile of that name.
    hasDockerignore: names.some((name) => name.endsWith('.dockerignore')),
  };
}

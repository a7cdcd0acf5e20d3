import { clip, prepareInput } from './input.js';
import { parseSafely, type Parsed } from './parsed.js';

export interface ToolVersion {
  /** 'compose', 'buildx' or 'docker' (the CLI's own `docker --version`). */
  name: string;
  version: string;
  build: string | null;
}

const LINES: { name: string; pattern: RegExp }[] = [
  // Compose v2+: "Docker Compose version v2.39.4"; v1: "docker-compose version 1.29.2, build 5becea4c".
  { name: 'compose', pattern: /^Docker Compose version (v?\d[\w.+-]{0,60})/i },
  { name: 'compose', pattern: /^docker-compose version (\d[\w.+-]{0,60}),\s*build (\w{1,40})/i },
  // "github.com/docker/buildx v0.9.1-docker ed00243a…": distro builds add a suffix.
  {
    name: 'buildx',
    pattern: /^github\.com\/docker\/buildx (v?\d[\w.+-]{0,60})(?: ([0-9a-f]{7,40}))?/,
  },
  { name: 'docker', pattern: /^Docker version (\d[\w.+-]{0,60}),\s*build (\w{1,40})/ },
];

/** Reads the one-line version outputs of compose, buildx and the docker CLI. */
export function parsePluginVersions(text: string): Parsed<ToolVersion[]> {
  return parseSafely(
    'plugin-versions',
    () => readVersions(text),
    () => [],
  );
}

function readVersions(input: string): Parsed<ToolVersion[]> {
  const { lines, warnings } = prepareInput(input);
  const versions: ToolVersion[] = [];

  for (const line of lines) {
    const trimmed = line.trim();
    for (const { name, pattern } of LINES) {
      const match = pattern.exec(trimmed);
      if (!match?.[1]) continue;
      versions.push({ name, version: clip(match[1], 64), build: match[2] ?? null });
      break;
    }
    if (/unknown shorthand flag: 'v' in -v/.test(trimmed)) {
      warnings.push('this compose does not accept -v (Compose v2 answers only --version)');
    }
  }

  if (versions.length === 0) warnings.push('no version line found');
  return { value: versions, warnings };
}

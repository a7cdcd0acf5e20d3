import type { Report } from '@devfleet/wire';

import { cleanText } from './clean-text.js';

/** Where each project lives, by project name: `{ "payments-api": "wsl-ext4" }`. */
export type ProjectPaths = Record<string, string>;

// Names come from the developer's machine: bounded, so that an agent inventing a new project
// name in every report cannot grow what each environment carries without end.
const MAX_PROJECTS = 50;

/**
 * What was known of the machine's projects, updated with where this report's timed builds ran.
 * A project that moved, or is new, goes to the end; past the bound, those unchanged the longest
 * are forgotten. Returns the same object when nothing changed, so the caller can tell cheaply.
 */
export function updateProjectPaths(
  known: ProjectPaths,
  report: Pick<Report, 'builds'>,
): ProjectPaths {
  let next: ProjectPaths | null = null;
  for (const build of report.builds ?? []) {
    if (build.source !== 'time' || build.pathKind === 'unknown') continue;
    const name = cleanText(build.name);
    if ((next ?? known)[name] === build.pathKind) continue;

    next ??= { ...known };
    delete next[name];
    next[name] = build.pathKind;
  }
  if (!next) return known;

  const names = Object.keys(next);
  for (const name of names.slice(0, Math.max(0, names.length - MAX_PROJECTS))) delete next[name];
  return next;
}

/** The change-tracked facts of the projects' locations: `project.<name>.location`. */
export function projectFacts(paths: ProjectPaths): Record<string, string> {
  return Object.fromEntries(
    Object.entries(paths).map(([name, kind]) => [`project.${name}.location`, kind]),
  );
}

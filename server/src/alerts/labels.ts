import type { Transition } from '../db/change-repository.js';

/** The facts that most often explain a slowdown first: the one a transition is named after. */
const salience = [
  'desktopVersion',
  'wslVersion',
  'engineVersion',
  'wslKernel',
  'engineKernel',
  'windowsVersion',
  'desktop.fileSharing',
  'projectPathKind',
  'backend',
  'desktopBuild',
];

const labels: Record<string, string> = {
  desktopVersion: 'Docker Desktop',
  desktopBuild: 'Docker Desktop build',
  engineVersion: 'Docker Engine',
  wslVersion: 'WSL',
  wslKernel: 'WSL kernel',
  engineKernel: 'engine kernel',
  windowsVersion: 'Windows',
  'desktop.fileSharing': 'file sharing',
  projectPathKind: 'project location',
  backend: 'Docker backend',
};

export type FactChange = Transition['changes'][number];

// Facts whose movement no build can feel: the docker CLI's own version (builds run in the engine),
// the OS's marketing name (its release is tracked apart), which distros Desktop integrates with
// and which folders it may share (where the project lives is `projectPathKind`).
const inertFields = new Set([
  'clientVersion',
  'osName',
  'desktop.integratedWslDistros',
  'desktop.integrationWithDefaultDistro',
  'desktop.filesharingDirectories',
]);

// .wslconfig keys that WSL reads and that can change how fast a build runs (memory, CPUs, the
// kernel, file sharing, networking for pulls). Any other key, including keys WSL does not know or
// ignores in that section, changes nothing (agent/src/parsers/wslconfig.ts has the full lists).
// prettier-ignore
const wslconfigKeysThatMatter = new Set([
  'wsl2.kernel', 'wsl2.kernelcommandline', 'wsl2.kernelmodules', 'wsl2.memory', 'wsl2.processors',
  'wsl2.swap', 'wsl2.swapfile', 'wsl2.nestedvirtualization', 'wsl2.virtio9p', 'wsl2.virtiofs',
  'wsl2.virtio', 'wsl2.hostfilesystemaccess', 'wsl2.networkingmode', 'wsl2.dnsproxy',
  'wsl2.dnstunneling', 'wsl2.firewall', 'wsl2.autoproxy', 'wsl2.safemode', 'wsl2.pagereporting',
  'wsl2.idlethreshold', 'wsl2.vmidletimeout', 'wsl2.systemdistro', 'wsl2.loadkernelmodules',
  'wsl2.loaddefaultkernelmodules', 'wsl2.defaultvhdsize', 'experimental.networkingmode',
  'experimental.automemoryreclaim', 'experimental.sparsevhd', 'experimental.dnstunneling',
  'experimental.firewall', 'experimental.autoproxy',
]);

/**
 * Whether a fact's movement could plausibly change build times. A change that cannot (a CLI
 * update, a .wslconfig key WSL ignores) neither starts nor ends a detection window, so it never
 * hides a regression that an update just before it caused. Unknown fields count as relevant.
 */
export function affectsBuilds(change: FactChange): boolean {
  if (inertFields.has(change.field)) return false;
  if (change.field.startsWith('wslconfig.')) {
    return wslconfigKeysThatMatter.has(change.field.slice('wslconfig.'.length));
  }
  return true;
}

/** A transition some change of which could change build times. */
export function transitionAffectsBuilds(transition: Transition): boolean {
  return transition.changes.some(affectsBuilds);
}

/** The change of a transition that names it: the most telling field that can affect builds. */
export function salientChange(transition: Transition): FactChange | undefined {
  const rank = (field: string) => {
    const i = salience.indexOf(field);
    if (i >= 0) return i;
    return field.startsWith('wslconfig.') || field.startsWith('desktop.') ? salience.length : 99;
  };
  const weight = (c: FactChange) => rank(c.field) + (affectsBuilds(c) ? 0 : 1000);
  return [...transition.changes].sort((a, b) => weight(a) - weight(b))[0];
}

export function describeChange(change: FactChange): string {
  const label = labels[change.field] ?? change.field;
  return `${label} ${change.from ?? 'unset'} → ${change.to ?? 'unset'}`;
}

export function percent(effect: number): string {
  const value = Math.round(Math.abs(effect) * 100);
  return `${value}% ${effect >= 0 ? 'slower' : 'faster'}`;
}

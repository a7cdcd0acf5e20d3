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

/** The change of a transition that names it: the most telling field, else the first. */
export function salientChange(transition: Transition): FactChange | undefined {
  const rank = (field: string) => {
    const i = salience.indexOf(field);
    if (i >= 0) return i;
    return field.startsWith('wslconfig.') || field.startsWith('desktop.') ? salience.length : 99;
  };
  return [...transition.changes].sort((a, b) => rank(a.field) - rank(b.field))[0];
}

export function describeChange(change: FactChange): string {
  const label = labels[change.field] ?? change.field;
  return `${label} ${change.from ?? 'unset'} → ${change.to ?? 'unset'}`;
}

export function percent(effect: number): string {
  const value = Math.round(Math.abs(effect) * 100);
  return `${value}% ${effect >= 0 ? 'slower' : 'faster'}`;
}

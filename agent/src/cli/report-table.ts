import type { Docker, Report, Wsl } from '@devfleet/wire';

import { formatSections, type Section } from './format-table.js';

const NONE = '-';

/** The human view of a report for `collect`: what a developer checks at a glance. */
export function formatReport(report: Report): string {
  const sections = [hostSection(report), dockerSection(report.docker), wslSection(report)];
  if (report.problems.length > 0) sections.push(problemsSection(report));
  return `${formatSections(sections)}\n`;
}

function hostSection({ host }: Report): Section {
  return {
    title: 'Host',
    rows: [
      ['Hostname', host.hostname],
      ['User', host.user],
      ['OS', host.osName],
      ['Kernel', `${host.platform} ${host.release} (${host.arch})`],
      ['CPUs', String(host.cpus)],
      ['Memory', formatBytes(host.memoryBytes)],
    ],
  };
}

function dockerSection(docker: Docker): Section {
  const { daemon, client, server, desktop, engine } = docker;
  const rows: Section['rows'] = [
    ['Daemon', daemon.error ? `${daemon.state}: ${firstLine(daemon.error)}` : daemon.state],
    ['Client', client ? `${client.version} (context ${client.context ?? NONE})` : NONE],
    ['Engine', server?.version ?? engine?.serverVersion ?? NONE],
    ['Desktop', desktop ? `${desktop.version} (build ${desktop.build ?? NONE})` : NONE],
  ];
  if (engine) {
    rows.push(
      ['Engine OS', `${engine.operatingSystem ?? NONE} (${engine.kernelVersion ?? NONE})`],
      ['Backend', engine.backend],
      ['Engine CPUs', engine.cpus === null ? NONE : String(engine.cpus)],
      ['Engine memory', engine.memoryBytes === null ? NONE : formatBytes(engine.memoryBytes)],
      ['Storage', engine.storageDriver ?? NONE],
    );
  }
  rows.push(['Plugins', docker.plugins.map((p) => `${p.name} ${p.version}`).join(', ') || NONE]);
  for (const warning of docker.warnings) rows.push(['Warning', firstLine(warning)]);
  return { title: 'Docker', rows };
}

function wslSection({ host, wsl }: Report): Section {
  const inside = host.wsl;
  const rows: Section['rows'] = [
    [
      'Inside WSL',
      inside
        ? `${inside.distro ?? 'unknown distro'} (WSL ${inside.version ?? '?'}, interop ` +
          `${inside.interop ? 'on' : 'off'})`
        : 'no',
    ],
  ];
  if (wsl) rows.push(...windowsWslRows(wsl));
  return { title: 'WSL', rows };
}

function windowsWslRows(wsl: Wsl): Section['rows'] {
  return [
    ['WSL version', wsl.version ?? NONE],
    ['WSL kernel', wsl.kernelVersion ?? NONE],
    ['Windows', wsl.windowsVersion ?? NONE],
    ...wsl.distros.map((d): [string, string] => [
      'Distro',
      `${d.name}${d.isDefault ? ' (default)' : ''}: ${d.state}, WSL ${d.version ?? '?'}`,
    ]),
    ...wsl.config.map((entry): [string, string] => [
      '.wslconfig',
      `[${entry.section}] ${entry.key} = ${entry.value}`,
    ]),
  ];
}

function problemsSection({ problems }: Report): Section {
  return {
    title: 'Problems',
    rows: problems.map((p) => [p.source, `${p.code}: ${firstLine(p.message)}`]),
  };
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

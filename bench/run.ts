/**
 * Runs every benchmark and prints the figures against the targets of issue 8.
 *
 *   npm run bench                 full run: the targets count
 *   npm run bench:quick           small and short: checks that every bench still runs
 *   npm run bench -- --only ingest,queries --machines 200 --days 30 --year-machines 5
 *
 * Results go to bench/.cache/results-<full|quick>.json and a Markdown table to stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { runAgent } from './agent.js';
import { runDashboard } from './dashboard.js';
import { runDetection } from './detection.js';
import { ensureFleet } from './generate-fleet.js';
import { cacheDir, describeMachine, type BenchOptions, type Figure } from './lib/figures.js';
import { runIngest } from './ingest.js';
import { runQueries } from './queries.js';

const AREAS = ['ingest', 'queries', 'dashboard', 'agent', 'detection'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      machines: { type: 'string' },
      days: { type: 'string' },
      'year-machines': { type: 'string' },
      only: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const size = {
    machines: Number(values.machines ?? (quick ? 50 : 1000)),
    days: Number(values.days ?? (quick ? 2 : 365)),
    yearMachines: Number(values['year-machines'] ?? 0),
  };
  const only = new Set(values.only ? values.only.split(',') : AREAS);
  const options: BenchOptions = { quick, ...size, log: (line) => console.error(line) };
  const started = new Date();

  const needsFleet = ['ingest', 'queries', 'dashboard'].some((a) => only.has(a));
  const fleet = needsFleet ? await ensureFleet(size, options.log) : null;
  if (fleet) {
    options.log(
      `fleet: ${fleet.machines} machines (${fleet.yearMachines} over a year, the rest ${fleet.days} days), ${fleet.reports} reports, ${fleet.samples} samples, generated in ${fleet.generatedSeconds} s`,
    );
  }

  const figures: Figure[] = [];
  const failed: string[] = [];
  for (const area of AREAS) {
    if (!only.has(area)) continue;
    try {
      figures.push(...(await runArea(area, options, fleet)));
    } catch (error) {
      failed.push(area);
      console.error(`${area}: failed`, error);
    }
  }

  const command = `npm run bench${quick ? ':quick' : ''} -- ${process.argv.slice(2).join(' ')}`;
  const header = [
    `Machine: ${describeMachine()}`,
    `Date: ${started.toISOString()}`,
    `Command: ${command.trim()}`,
  ];
  console.log([...header, '', table(figures)].join('\n'));

  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `results-${quick ? 'quick' : 'full'}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ header, fleet, figures }, null, 2)}\n`);

  // A quick run fails only when a bench breaks; a full run also when a target is missed.
  const missed = figures.filter((f) => f.met === false);
  if (failed.length > 0 || (!quick && missed.length > 0)) process.exitCode = 1;
}

function runArea(
  area: (typeof AREAS)[number],
  options: BenchOptions,
  fleet: Awaited<ReturnType<typeof ensureFleet>> | null,
): Promise<Figure[]> {
  switch (area) {
    case 'ingest':
      return runIngest(options, fleet);
    case 'queries':
      return runQueries(options, fleet);
    case 'dashboard':
      return runDashboard(options, fleet);
    case 'agent':
      return runAgent(options);
    case 'detection':
      return runDetection(options);
  }
}

function table(figures: Figure[]): string {
  const mark = (met: boolean | null) => (met === null ? '—' : met ? 'met' : '**missed**');
  const rows = figures.map(
    (f) =>
      `| ${f.area} | ${f.name} | ${f.target ?? '—'} | ${f.measured}${f.note ? ` (${f.note})` : ''} | ${mark(f.met)} |`,
  );
  return ['| area | figure | target | measured | |', '|---|---|---|---|---|', ...rows].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

import path from 'node:path';

import type { Command } from 'commander';

import { defaultConfigPath } from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import {
  detectScheduler,
  installSchedule,
  registration,
  removeSchedule,
  SCHEDULER_KINDS,
  scheduleStatus,
  schedulerDirs,
  type SchedulerKind,
} from '../schedule/installer.js';
import { currentInvocation, jitterSeed, runsFromNpxCache } from '../schedule/invocation.js';
import {
  DEFAULT_EVERY_HOURS,
  formatClock,
  planSchedule,
  VALID_EVERY_HOURS,
  type SchedulePlan,
} from '../schedule/plan.js';
import { printLine } from './output.js';

interface InstallOptions {
  every: string;
  bench: boolean;
  scheduler?: string;
  dryRun?: boolean;
}

export function registerScheduleCommand(program: Command): void {
  const schedule = program
    .command('schedule')
    .description(
      'run `report` periodically with the OS scheduler (systemd, cron, launchd, schtasks)',
    );

  schedule
    .command('install')
    .description(`report every ${DEFAULT_EVERY_HOURS} h and run the benchmarks daily`)
    .option('--every <hours>', `hours between reports: ${VALID_EVERY_HOURS.join(', ')}`, '4')
    .option('--no-bench', 'leave out the daily benchmark run')
    .option('--scheduler <kind>', `use this one: ${SCHEDULER_KINDS.join(', ')}`)
    .option('--dry-run', 'print what would be registered; change nothing')
    .action(async (options: InstallOptions) => {
      // Usage errors first: a wrong --every is exit 2 even where no scheduler can be found.
      const hours = everyHours(options.every);
      const kind = await chooseScheduler(options.scheduler);
      const configDir = path.dirname(defaultConfigPath());
      const invocation = currentInvocation(configDir);
      const plan = planSchedule({
        ...invocation,
        everyHours: hours,
        bench: options.bench,
        seed: jitterSeed(),
      });
      const dirs = schedulerDirs(configDir);

      if (options.dryRun) {
        printLine(formatRegistration(kind, plan, registration(kind, plan, dirs)));
        return;
      }
      if (runsFromNpxCache(invocation)) {
        process.stderr.write(
          'warning: the agent runs from npx’s cache, which npm may clear; install it with ' +
            '`npm install -g devfleet-agent` and run `schedule install` from there\n',
        );
      }

      await installSchedule(kind, plan, dirs);
      printLine(`installed with ${kind}:\n${formatJobs(plan)}`);
    });

  schedule
    .command('remove')
    .description('take the periodic report away; other scheduled jobs stay')
    .option('--scheduler <kind>', `use this one: ${SCHEDULER_KINDS.join(', ')}`)
    .action(async (options: { scheduler?: string }) => {
      const kind = await chooseScheduler(options.scheduler);
      await removeSchedule(kind, schedulerDirs(path.dirname(defaultConfigPath())));
      printLine(`removed from ${kind}`);
    });

  schedule
    .command('status')
    .description('show whether the periodic report is registered, and when it runs')
    .option('--scheduler <kind>', `use this one: ${SCHEDULER_KINDS.join(', ')}`)
    .action(async (options: { scheduler?: string }) => {
      const kind = await chooseScheduler(options.scheduler);
      const status = await scheduleStatus(kind);
      const jobs = status.installed.length > 0 ? status.installed.join(', ') : 'nothing';
      printLine(`${kind}: ${jobs} installed${status.detail ? `\n${status.detail}` : ''}`);
    });
}

async function chooseScheduler(requested: string | undefined): Promise<SchedulerKind> {
  if (requested !== undefined) {
    const kind = SCHEDULER_KINDS.find((k) => k === requested);
    if (!kind) {
      throw new AgentError(
        'AGENT_USAGE',
        `--scheduler takes ${SCHEDULER_KINDS.join(', ')}, not ${requested}`,
      );
    }
    return kind;
  }

  const detected = await detectScheduler(process.platform);
  if (detected === null) {
    throw new AgentError(
      'AGENT_SCHEDULE_FAILED',
      'no scheduler found: no systemd user session and no crontab; install cron ' +
        '(e.g. apt-get install cron) or enable systemd',
    );
  }
  return detected;
}

function everyHours(value: string): number {
  const hours = Number(value);
  if (!(VALID_EVERY_HOURS as readonly number[]).includes(hours)) {
    throw new AgentError(
      'AGENT_USAGE',
      `--every takes ${VALID_EVERY_HOURS.join(', ')} (hours that divide a day), not ${value}`,
    );
  }
  return hours;
}

function formatJobs(plan: SchedulePlan): string {
  return plan.jobs
    .map((job) => `  ${job.args.join(' ')} at ${job.times.map(formatClock).join(', ')}`)
    .join('\n');
}

function formatRegistration(
  kind: SchedulerKind,
  plan: SchedulePlan,
  wanted: ReturnType<typeof registration>,
): string {
  const parts = [`would install with ${kind}:`, formatJobs(plan)];
  for (const file of wanted.files) parts.push('', `--- ${file.path}`, file.text.trimEnd());
  if (wanted.crontabLines.length > 0) {
    parts.push('', '--- crontab lines (the others stay):', ...wanted.crontabLines);
  }
  const commands = wanted.commands.filter(([cmd]) => cmd !== 'crontab');
  if (commands.length > 0) parts.push('', '--- then runs:', ...commands.map((c) => c.join(' ')));
  return parts.join('\n');
}

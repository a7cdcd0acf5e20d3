import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { runCommand, type CommandResult } from '../collectors/run-command.js';
import { AgentError } from '../config/agent-error.js';
import { agentCronLines, cronLines, mergeCrontab, removeFromCrontab } from './cron.js';
import { launchdPlists, LAUNCHD_PREFIX } from './launchd.js';
import type { JobName, SchedulePlan } from './plan.js';
import {
  createTaskCall,
  deleteTaskCall,
  queryTaskCall,
  SCHTASKS_FOLDER,
  schtasksTasks,
  taskXmlBytes,
} from './schtasks.js';
import { SYSTEMD_PREFIX, systemdUnits } from './systemd.js';

export const SCHEDULER_KINDS = ['systemd', 'cron', 'launchd', 'schtasks'] as const;
export type SchedulerKind = (typeof SCHEDULER_KINDS)[number];

// Every job the agent has ever registered: remove and re-install clear them all, so that a
// schedule installed with benchmarks and installed again without them loses the daily run.
const ALL_JOBS: readonly JobName[] = ['report', 'bench'];

// systemctl and launchctl answer in well under a second; schtasks can take a few on a busy box.
const SCHEDULER_TIMEOUT_MS = 15_000;

export type Runner = (cmd: string, args: readonly string[]) => Promise<CommandResult>;

const run: Runner = (cmd, args) => runCommand(cmd, args, { timeoutMs: SCHEDULER_TIMEOUT_MS });

export interface SchedulerDirs {
  /** ~/.config/systemd/user (or under $XDG_CONFIG_HOME). */
  systemd: string;
  /** ~/Library/LaunchAgents */
  launchAgents: string;
  /** Where the Task Scheduler XML files are kept: the agent's config directory. */
  tasks: string;
}

export function schedulerDirs(configDir: string, env = process.env, home = os.homedir()) {
  const xdg = env.XDG_CONFIG_HOME;
  const config = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return {
    systemd: path.join(config, 'systemd', 'user'),
    launchAgents: path.join(home, 'Library', 'LaunchAgents'),
    tasks: path.join(configDir, 'schedule'),
  } satisfies SchedulerDirs;
}

/**
 * The OS's own scheduler. On Linux a systemd user manager is preferred when one answers (not in
 * containers, WSL without systemd=true, or root shells without a login session); cron otherwise.
 */
export async function detectScheduler(
  platform: NodeJS.Platform,
  runner: Runner = run,
): Promise<SchedulerKind | null> {
  if (platform === 'win32') return 'schtasks';
  if (platform === 'darwin') return 'launchd';

  const systemd = await runner('systemctl', ['--user', 'show-environment']);
  if (systemd.exitCode === 0) return 'systemd';

  const cron = await runner('crontab', ['-l']);
  return cron.error === 'not-found' ? null : 'cron';
}

/** What install would write and run, for --dry-run; install does exactly this. */
export interface Registration {
  files: { path: string; text: string }[];
  /** Lines added to the user's crontab; the others stay. */
  crontabLines: string[];
  commands: string[][];
}

export function registration(
  kind: SchedulerKind,
  plan: SchedulePlan,
  dirs: SchedulerDirs,
): Registration {
  switch (kind) {
    case 'systemd': {
      const units = systemdUnits(plan);
      const timers = units.filter((u) => u.name.endsWith('.timer')).map((u) => u.name);
      return {
        files: units.map((u) => ({ path: path.join(dirs.systemd, u.name), text: u.text })),
        crontabLines: [],
        commands: [
          ['systemctl', '--user', 'daemon-reload'],
          ['systemctl', '--user', 'enable', '--now', ...timers],
        ],
      };
    }
    case 'cron':
      return { files: [], crontabLines: cronLines(plan), commands: [['crontab', '<merged>']] };
    case 'launchd': {
      const plists = launchdPlists(plan);
      return {
        files: plists.map((p) => ({ path: path.join(dirs.launchAgents, p.name), text: p.text })),
        crontabLines: [],
        commands: plists.map((p) => [
          'launchctl',
          'bootstrap',
          guiDomain(),
          path.join(dirs.launchAgents, p.name),
        ]),
      };
    }
    case 'schtasks': {
      const tasks = schtasksTasks(plan).map((task) => ({
        ...task,
        file: path.join(dirs.tasks, `${task.taskName.split('\\').pop()}.xml`),
      }));
      return {
        files: tasks.map((t) => ({ path: t.file, text: t.xml })),
        crontabLines: [],
        commands: tasks.map((t) => ['schtasks', ...createTaskCall(t.taskName, t.file).args]),
      };
    }
  }
}

export async function installSchedule(
  kind: SchedulerKind,
  plan: SchedulePlan,
  dirs: SchedulerDirs,
  runner: Runner = run,
): Promise<void> {
  const wanted = registration(kind, plan, dirs);
  await removeSchedule(kind, dirs, runner);

  if (kind === 'cron') {
    const existing = await readCrontab(runner);
    await writeCrontab(mergeCrontab(existing, wanted.crontabLines), runner);
    return;
  }

  for (const file of wanted.files) {
    await mkdir(path.dirname(file.path), { recursive: true });
    const bytes = kind === 'schtasks' ? taskXmlBytes(file.text) : file.text;
    await writeFile(file.path, bytes);
  }
  for (const [cmd = '', ...args] of wanted.commands) await mustRun(runner, cmd, args);
}

/** Takes away every job the agent registered; succeeds when there was none. */
export async function removeSchedule(
  kind: SchedulerKind,
  dirs: SchedulerDirs,
  runner: Runner = run,
): Promise<void> {
  switch (kind) {
    case 'systemd': {
      const timers = ALL_JOBS.map((job) => `${SYSTEMD_PREFIX}${job}.timer`);
      // Fails for units that were never installed; what matters is that none is left enabled.
      await runner('systemctl', ['--user', 'disable', '--now', ...timers]);
      for (const job of ALL_JOBS) {
        for (const ext of ['service', 'timer']) {
          await rm(path.join(dirs.systemd, `${SYSTEMD_PREFIX}${job}.${ext}`), { force: true });
        }
      }
      await mustRun(runner, 'systemctl', ['--user', 'daemon-reload']);
      return;
    }
    case 'cron': {
      const existing = await readCrontab(runner);
      if (agentCronLines(existing).length > 0) {
        await writeCrontab(removeFromCrontab(existing), runner);
      }
      return;
    }
    case 'launchd':
      for (const job of ALL_JOBS) {
        await runner('launchctl', ['bootout', `${guiDomain()}/${LAUNCHD_PREFIX}${job}`]);
        await rm(path.join(dirs.launchAgents, `${LAUNCHD_PREFIX}${job}.plist`), { force: true });
      }
      return;
    case 'schtasks':
      for (const job of ALL_JOBS) {
        await runner('schtasks', deleteTaskCall(`\\${SCHTASKS_FOLDER}\\agent-${job}`).args);
        await rm(path.join(dirs.tasks, `agent-${job}.xml`), { force: true });
      }
      return;
  }
}

export interface ScheduleStatus {
  installed: JobName[];
  /** The scheduler's own words: next run times, crontab lines, task state. */
  detail: string;
}

export async function scheduleStatus(
  kind: SchedulerKind,
  runner: Runner = run,
): Promise<ScheduleStatus> {
  switch (kind) {
    case 'systemd': {
      const timers = ALL_JOBS.map((job) => `${SYSTEMD_PREFIX}${job}.timer`);
      const list = await runner('systemctl', ['--user', 'list-timers', '--all', ...timers]);
      const installed = ALL_JOBS.filter((job) => list.stdout.includes(`${SYSTEMD_PREFIX}${job}.`));
      return { installed, detail: list.stdout.trim() };
    }
    case 'cron': {
      const lines = agentCronLines(await readCrontab(runner));
      const installed = ALL_JOBS.filter((job) => lines.some((l) => l.endsWith(`:${job}`)));
      return { installed, detail: lines.join('\n') };
    }
    case 'launchd': {
      const installed: JobName[] = [];
      const details: string[] = [];
      for (const job of ALL_JOBS) {
        const label = `${LAUNCHD_PREFIX}${job}`;
        const result = await runner('launchctl', ['print', `${guiDomain()}/${label}`]);
        if (result.exitCode === 0) {
          installed.push(job);
          details.push(`${label}: loaded`);
        }
      }
      return { installed, detail: details.join('\n') };
    }
    case 'schtasks': {
      const installed: JobName[] = [];
      const details: string[] = [];
      for (const job of ALL_JOBS) {
        const result = await runner(
          'schtasks',
          queryTaskCall(`\\${SCHTASKS_FOLDER}\\agent-${job}`).args,
        );
        if (result.exitCode === 0) {
          installed.push(job);
          details.push(result.stdout.trim());
        }
      }
      return { installed, detail: details.join('\n\n') };
    }
  }
}

async function readCrontab(runner: Runner): Promise<string> {
  const result = await runner('crontab', ['-l']);
  if (result.exitCode === 0) return result.stdout;
  // "no crontab for <user>" is an empty crontab, not a failure.
  if (result.exitCode === 1 && /no crontab/i.test(result.stderr)) return '';
  throw commandFailed('crontab -l', result);
}

/** `crontab FILE` replaces the crontab from a file: no standard input needed. */
async function writeCrontab(text: string, runner: Runner): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-crontab-'));
  try {
    const file = path.join(dir, 'crontab');
    await writeFile(file, text, { mode: 0o600 });
    await mustRun(runner, 'crontab', [file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function mustRun(runner: Runner, cmd: string, args: readonly string[]): Promise<void> {
  const result = await runner(cmd, args);
  if (result.exitCode !== 0) throw commandFailed([cmd, ...args].join(' '), result);
}

function commandFailed(what: string, result: CommandResult): AgentError {
  const why = result.stderr.trim() || result.error || `exit ${result.exitCode ?? 'signal'}`;
  return new AgentError('AGENT_SCHEDULE_FAILED', `${what} failed: ${why}`);
}

function guiDomain(): string {
  return `gui/${process.getuid?.() ?? 0}`;
}

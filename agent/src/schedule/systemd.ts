import type { SchedulePlan, ScheduledJob } from './plan.js';

export interface UnitFile {
  name: string;
  text: string;
}

export const SYSTEMD_PREFIX = 'devfleet-agent-';

export function systemdUnitName(job: ScheduledJob, kind: 'service' | 'timer'): string {
  return `${SYSTEMD_PREFIX}${job.name}.${kind}`;
}

/** A oneshot service and its timer for each job, for ~/.config/systemd/user. */
export function systemdUnits(plan: SchedulePlan): UnitFile[] {
  return plan.jobs.flatMap((job) => [
    { name: systemdUnitName(job, 'service'), text: serviceUnit(plan, job) },
    { name: systemdUnitName(job, 'timer'), text: timerUnit(job) },
  ]);
}

function serviceUnit(plan: SchedulePlan, job: ScheduledJob): string {
  const command = [plan.program, ...plan.programArgs, ...job.args].map(quoteSystemdArg).join(' ');
  const env = Object.entries(plan.env).map(
    ([key, value]) => `Environment=${quoteSystemdArg(`${key}=${value}`)}`,
  );

  return lines(
    '[Unit]',
    `Description=${escapeSpecifiers(job.description)}`,
    '',
    '[Service]',
    'Type=oneshot',
    ...env,
    `ExecStart=${command}`,
    // A report must never compete with the developer's own work for the CPU.
    'Nice=10',
  );
}

function timerUnit(job: ScheduledJob): string {
  const calendars = job.times.map(
    ({ hour, minute }) => `OnCalendar=*-*-* ${pad(hour)}:${pad(minute)}:00`,
  );

  return lines(
    '[Unit]',
    `Description=${escapeSpecifiers(job.description)}`,
    '',
    '[Timer]',
    ...calendars,
    // A laptop that slept through a run catches up once when it wakes.
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
  );
}

/**
 * One ExecStart/Environment word. systemd splits on spaces, honours double quotes with C-style
 * escapes, and expands `%x` specifiers and `$VAR` in ExecStart: both are doubled to stay literal.
 */
export function quoteSystemdArg(arg: string): string {
  const escaped = escapeSpecifiers(arg).replaceAll('$', () => '$$');
  if (/^[A-Za-z0-9_@%+=:,./$-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function lines(...parts: string[]): string {
  return `${parts.join('\n')}\n`;
}

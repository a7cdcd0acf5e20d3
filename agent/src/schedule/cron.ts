import type { SchedulePlan, ScheduledJob } from './plan.js';

/** Ends every line the agent adds, so that remove takes those and leaves the rest alone. */
export const CRON_MARKER = '# devfleet-agent:';

/** One crontab line per job: `M H1,H2,… * * * command # devfleet-agent:<job>`. */
export function cronLines(plan: SchedulePlan): string[] {
  return plan.jobs.map((job) => cronLine(plan, job));
}

function cronLine(plan: SchedulePlan, job: ScheduledJob): string {
  // One minute for all of a job's times: the plan's times share it, and a list of hours is the
  // one form every cron (vixie, cronie, busybox, macOS) reads the same way.
  const minutes = new Set(job.times.map((t) => t.minute));
  const when =
    minutes.size === 1
      ? `${job.times[0]?.minute ?? 0} ${job.times.map((t) => t.hour).join(',')} * * *`
      : null;
  if (when === null) throw new Error(`cron needs one minute for all of ${job.name}'s times`);

  // cron runs the line with sh and a bare environment: PATH must be given for docker to be found.
  const env = Object.entries(plan.env).map(([key, value]) => `${key}=${quoteShell(value)}`);
  const command = [plan.program, ...plan.programArgs, ...job.args].map(quoteShell).join(' ');
  const envPrefix = env.length > 0 ? `env ${env.join(' ')} ` : '';
  const line = `${envPrefix}${command} >> ${quoteShell(plan.logFile)} 2>&1`;

  return `${when} ${escapePercent(line)} ${CRON_MARKER}${job.name}`;
}

/** The crontab with the agent's lines replaced by `lines`; every other line stays as it was. */
export function mergeCrontab(existing: string, lines: readonly string[]): string {
  const kept = removeFromCrontab(existing);
  const body = kept === '' ? '' : kept.endsWith('\n') ? kept : `${kept}\n`;
  return `${body}${lines.map((line) => `${line}\n`).join('')}`;
}

/** The crontab without the agent's lines. */
export function removeFromCrontab(existing: string): string {
  return existing
    .split(/(?<=\n)/)
    .filter((line) => !isAgentLine(line))
    .join('');
}

export function agentCronLines(crontab: string): string[] {
  return crontab.split('\n').filter(isAgentLine);
}

function isAgentLine(line: string): boolean {
  return new RegExp(`\\s${CRON_MARKER}[a-z]+\\s*$`).test(line);
}

/** Single quotes keep everything literal in sh; a quote inside closes, escapes and reopens. */
export function quoteShell(arg: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

// In a crontab command an unescaped % ends the command and starts its standard input.
function escapePercent(text: string): string {
  return text.replaceAll('%', '\\%');
}

import { createHash } from 'node:crypto';

/** A time of day in the machine's local time zone. */
export interface ClockTime {
  hour: number;
  minute: number;
}

export type JobName = 'report' | 'bench';

export interface ScheduledJob {
  name: JobName;
  description: string;
  /** The agent's arguments, after the program that runs it. */
  args: string[];
  /** Every day at these local times. */
  times: ClockTime[];
}

/** How the scheduler starts the agent: the same program and arguments on every OS. */
export interface AgentInvocation {
  program: string;
  /** Arguments before the agent's own, e.g. the script when `program` is node. */
  programArgs: string[];
  /** Variables the job needs that a scheduler does not pass on (PATH above all, for docker). */
  env: Record<string, string>;
  /** Where cron and launchd append the job's output; systemd keeps it in the journal. */
  logFile: string;
}

export interface SchedulePlan extends AgentInvocation {
  jobs: ScheduledJob[];
}

export interface PlanInput extends AgentInvocation {
  /** Hours between two reports; must divide 24 so that every day looks the same. */
  everyHours: number;
  bench: boolean;
  /** What the jitter derives from: the enrolled machine id, or the host name. */
  seed: string;
}

export const DEFAULT_EVERY_HOURS = 4;
export const VALID_EVERY_HOURS = [1, 2, 3, 4, 6, 8, 12, 24] as const;

// Benchmarks load the machine for a few minutes: early afternoon is when a laptop is most likely
// awake and least likely to be in a developer's way. The jitter spreads a team over two hours,
// so that a shared registry or server does not see every machine at once.
const BENCH_WINDOW_START_HOUR = 12;
const BENCH_WINDOW_MINUTES = 120;

/**
 * The jobs to register. The times come from a hash of the seed, so that a fleet spreads over the
 * period while one machine keeps its own times when the schedule is installed again.
 */
export function planSchedule(input: PlanInput): SchedulePlan {
  const { everyHours, bench, seed, ...invocation } = input;
  if (!(VALID_EVERY_HOURS as readonly number[]).includes(everyHours)) {
    throw new RangeError(`every ${everyHours} h does not divide a day`);
  }

  const reportOffset = jitterMinutes(`${seed}:report`, everyHours * 60);
  const reportTimes = Array.from({ length: 24 / everyHours }, (_, i) =>
    clockTime(reportOffset + i * everyHours * 60),
  );
  const jobs: ScheduledJob[] = [
    {
      name: 'report',
      description: `devfleet: report this machine's environment every ${everyHours} h`,
      // One attempt per report: a run must not wait for a server that is away; the spool keeps
      // the report for the next run.
      args: ['report', '--no-wait'],
      times: reportTimes,
    },
  ];

  if (bench) {
    const minute =
      BENCH_WINDOW_START_HOUR * 60 + jitterMinutes(`${seed}:bench`, BENCH_WINDOW_MINUTES);
    jobs.push({
      name: 'bench',
      description: 'devfleet: run the benchmarks and report them, once a day',
      args: ['report', '--bench', '--no-wait'],
      times: [clockTime(minute)],
    });
  }

  return { ...invocation, jobs };
}

/** A stable number of minutes in [0, range) for a seed: the same machine, the same answer. */
export function jitterMinutes(seed: string, range: number): number {
  const digest = createHash('sha256').update(seed).digest();
  return digest.readUInt32BE(0) % range;
}

function clockTime(minuteOfDay: number): ClockTime {
  const minute = minuteOfDay % (24 * 60);
  return { hour: Math.floor(minute / 60), minute: minute % 60 };
}

export function formatClock({ hour, minute }: ClockTime): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * The benchmarks time each phase inside the container, so that `docker exec` start-up and the
 * CLI's round trips never enter a sample. Scripts print one line per phase:
 * `devfleet-bench <phase> <start ns> <end ns>` from `date +%s%N`, and
 * `devfleet-bench-error <reason>` when they cannot measure.
 */
export const MARK = 'devfleet-bench';

/**
 * Shell functions every timed script starts with. GNU date prints nanoseconds; BusyBox's prints
 * seconds only or a literal "%N" unless built with FEATURE_DATE_NANO, which Alpine's is not
 * (aports main/busybox/busyboxconfig), so the probe insists on all 19 digits.
 */
export const SCRIPT_PRELUDE = `set -eu
now() { date +%s%N; }
mark() { echo "${MARK} $1 $2 $(now)"; }
probe=$(now)
case "$probe" in
  ''|*[!0-9]*) probe=x ;;
esac
if [ "\${#probe}" -lt 19 ]; then
  echo "${MARK}-error the image's date prints no nanoseconds (date +%s%N); use one with GNU date"
  exit 3
fi
`;

export interface PhaseTiming {
  phase: string;
  ms: number;
}

export class ScriptOutputError extends Error {
  override name = 'ScriptOutputError';
}

/** The reason a script gave for not measuring, if it gave one. */
export function scriptError(stdout: string): string | null {
  const line = stdout.split('\n').find((text) => text.startsWith(`${MARK}-error `));
  return line ? line.slice(MARK.length + 7).trim() : null;
}

/** Reads the phase lines; anything else (warnings of tools) is ignored. */
export function parsePhaseTimings(stdout: string, expected: readonly string[]): PhaseTiming[] {
  const timings: PhaseTiming[] = [];

  for (const line of stdout.split('\n')) {
    const error = scriptError(line);
    if (error !== null) throw new ScriptOutputError(error);

    const match = /^devfleet-bench (\S+) (\d{10,25}) (\d{10,25})\s*$/.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) continue;

    const elapsed = BigInt(match[3]) - BigInt(match[2]);
    if (elapsed < 0n) throw new ScriptOutputError(`phase ${match[1]} ended before it started`);
    timings.push({ phase: match[1], ms: Number(elapsed) / 1e6 });
  }

  const missing = expected.filter((phase) => !timings.some((timing) => timing.phase === phase));
  if (missing.length > 0) {
    throw new ScriptOutputError(`the script reported no time for ${missing.join(', ')}`);
  }
  return timings;
}

/** A script that checks the clock and nothing else: run once before any timing. */
export const CLOCK_CHECK = `${SCRIPT_PRELUDE}echo ok\n`;

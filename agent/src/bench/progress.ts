export interface ProgressStep {
  benchmark: string;
  location: string;
  phase?: string;
  repetition?: number;
  of?: number;
}

export interface Progress {
  update(step: ProgressStep): void;
  /** Clears the line; the next output starts on a clean line. */
  done(): void;
}

export const silentProgress: Progress = { update: () => undefined, done: () => undefined };

const REFRESH_MS = 250;

/**
 * One self-rewriting line on a terminal: benchmark, location, repetition and elapsed time.
 * Nothing at all when stderr is a pipe or a file, so logs and `--json` output stay clean.
 */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;

  const started = performance.now();
  let current: ProgressStep | null = null;
  let timer: NodeJS.Timeout | null = null;

  const draw = () => {
    if (!current) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const parts = [`bench ${current.benchmark}`, current.location];
    if (current.phase) parts.push(current.phase);
    if (current.repetition !== undefined && current.of !== undefined) {
      parts.push(`repetition ${current.repetition}/${current.of}`);
    }
    parts.push(`${seconds}s`);
    stream.write(`\r\x1b[2K${parts.join('  ')}`);
  };

  return {
    update(step) {
      current = step;
      timer ??= setInterval(draw, REFRESH_MS).unref();
      draw();
    },
    done() {
      if (timer) clearInterval(timer);
      timer = null;
      if (current) stream.write('\r\x1b[2K');
      current = null;
    },
  };
}

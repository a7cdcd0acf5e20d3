/** Thrown by a benchmark that was stopped by Ctrl-C or SIGTERM, after it cleaned up. */
export class BenchInterrupted extends Error {
  override name = 'BenchInterrupted';

  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
  }
}

/** The reason a benchmark's own time limit aborts it with. */
export class BenchTimeout extends Error {
  override name = 'BenchTimeout';

  constructor(readonly timeoutMs: number) {
    super(`did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}

export interface InterruptWatch {
  signal: AbortSignal;
  dispose(): void;
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Turns SIGINT, SIGTERM and SIGHUP into an abort while benchmarks run. With a listener in place
 * Node no longer exits on these signals, which is the point: the runner stops its child, removes
 * its containers, volumes and folders, and only then lets the error end the command. A second
 * Ctrl-C during that cleanup is answered with a note instead of leaving things behind.
 */
export function watchInterrupts(
  warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): InterruptWatch {
  const controller = new AbortController();

  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      warn('still removing benchmark containers and files; one moment');
      return;
    }
    controller.abort(new BenchInterrupted(signal));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);

  return {
    signal: controller.signal,
    dispose() {
      for (const signal of SIGNALS) process.off(signal, onSignal);
    },
  };
}

export type Debug = (message: string) => void;

const silent: Debug = () => undefined;

/** Debug lines go to stderr so that `collect --json` output stays parseable with --verbose. */
export function createDebug(enabled: boolean): Debug {
  if (!enabled) return silent;
  const start = performance.now();
  return (message) => {
    const ms = Math.round(performance.now() - start);
    process.stderr.write(`debug +${ms}ms ${message}\n`);
  };
}

export function printLine(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

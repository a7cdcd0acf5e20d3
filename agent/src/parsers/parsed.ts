/** What every parser returns: the facts it could read, and what a careful reader should know. */
export interface Parsed<T> {
  value: T;
  warnings: string[];
}

/**
 * Runs a parser and turns any exception into a warning beside the fallback value. The parsers are
 * written not to throw; this is the last line so that one odd paste never loses a whole report.
 */
export function parseSafely<T>(
  source: string,
  parse: () => Parsed<T>,
  fallback: () => T,
): Parsed<T> {
  try {
    return parse();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { value: fallback(), warnings: [`${source}: parser failed (${reason.slice(0, 200)})`] };
  }
}

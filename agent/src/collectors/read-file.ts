import { readFile, stat } from 'node:fs/promises';

export interface FileResult<Content = string> {
  /** Null when the file could not be read; `error` says why. */
  text: Content | null;
  error: 'not-found' | 'timeout' | 'failed' | null;
  message: string | null;
}

export async function readTextFile(file: string, options: { timeoutMs: number }) {
  const bytes = await readFileBytes(file, options);
  return { ...bytes, text: bytes.text?.toString('utf8') ?? null };
}

/** The raw bytes, for files whose encoding a parser must decide (.wslconfig saved as UTF-16). */
export async function readFileBytes(
  file: string,
  { timeoutMs }: { timeoutMs: number },
): Promise<FileResult<Buffer>> {
  const read = readFile(file).then(
    (text): FileResult<Buffer> => ({ text, error: null, message: null }),
    (error: NodeJS.ErrnoException): FileResult<Buffer> => ({
      text: null,
      error: isMissing(error) ? 'not-found' : 'failed',
      message: `${file}: ${error.message}`,
    }),
  );

  return raceTimeout(read, timeoutMs, {
    text: null,
    error: 'timeout',
    message: `${file}: no answer within ${timeoutMs} ms`,
  });
}

/** True when the path exists, even if it is unreadable; false on absence and on timeout. */
export async function pathExists(file: string, { timeoutMs }: { timeoutMs: number }) {
  const found = stat(file).then(
    () => true,
    (error: NodeJS.ErrnoException) => !isMissing(error),
  );
  return raceTimeout(found, timeoutMs, false);
}

/**
 * A profile folder on a dead network share can block open() indefinitely, and an AbortSignal
 * does not interrupt a pending open(), so file access races a timer instead. The lost operation
 * finishes (or not) in the background without holding the process open.
 */
async function raceTimeout<T>(work: Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
    timer.unref();
  });

  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function isMissing(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ENOENT' || error.code === 'ENOTDIR';
}

import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  waitMs: number;
  /** A lock whose holder stopped refreshing it for this long is abandoned. */
  staleMs?: number;
}

export type ReleaseLock = () => Promise<void>;

interface Holder {
  pid: number;
  host: string;
  token: string;
}

const DEFAULT_STALE_MS = 30_000;

/**
 * Takes an exclusive lock file (created with O_EXCL), waiting up to `waitMs` for another holder;
 * answers null when the wait ran out. The holder refreshes the file's mtime while it holds it,
 * so a lock left by a killed process is taken over: at once when its pid is gone from this host,
 * else once it went unrefreshed for `staleMs`.
 */
export async function acquireLock(file: string, options: LockOptions): Promise<ReleaseLock | null> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = performance.now() + options.waitMs;
  const holder: Holder = { pid: process.pid, host: os.hostname(), token: randomUUID() };

  for (;;) {
    if (await tryCreate(file, holder)) return holdLock(file, holder, staleMs);

    if (await breakIfStale(file, staleMs)) continue;
    if (performance.now() >= deadline) return null;
    await sleep(10 + Math.random() * 30);
  }
}

/** Runs `work` holding the lock; throws `busy()` when the lock did not come within the wait. */
export async function withLock<T>(
  file: string,
  options: LockOptions,
  work: () => Promise<T>,
  busy: () => Error,
): Promise<T> {
  const release = await acquireLock(file, options);
  if (!release) throw busy();
  try {
    return await work();
  } finally {
    await release();
  }
}

async function tryCreate(file: string, holder: Holder): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(holder));
  } finally {
    await handle.close();
  }
  return true;
}

function holdLock(file: string, holder: Holder, staleMs: number): ReleaseLock {
  const refresh = setInterval(
    () => {
      const now = new Date();
      utimes(file, now, now).catch(() => undefined);
    },
    Math.max(100, staleMs / 3),
  );
  refresh.unref();

  return async () => {
    clearInterval(refresh);
    // Remove only our own lock: had ours been judged stale and taken over, the file is theirs.
    if ((await readHolder(file))?.token === holder.token) await unlink(file).catch(ignoreMissing);
  };
}

/** Moves an abandoned lock out of the way; answers whether the caller should try again now. */
async function breakIfStale(file: string, staleMs: number): Promise<boolean> {
  const seen = await readHolder(file);
  const modified = await stat(file).then(
    (s) => s.mtimeMs,
    () => null,
  );
  if (modified === null) return true;

  const abandoned = Date.now() - modified > staleMs;
  const holderDied = seen !== null && seen.host === os.hostname() && !isRunning(seen.pid);
  if (!abandoned && !holderDied) return false;

  // Move the lock aside instead of deleting it: of two processes that judged it stale at once,
  // only one can rename it. The loser may have renamed the winner's fresh lock instead: it
  // notices by the token and puts that lock back.
  const aside = `${file}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(file, aside);
  } catch (error) {
    ignoreMissing(error);
    return true;
  }
  const moved = await readHolder(aside);
  if (seen !== null && moved?.token !== seen.token) {
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(ignoreMissing);
  return true;
}

async function readHolder(file: string): Promise<Holder | null> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return null;
    if (typeof value.token !== 'string') return null;
    return { pid: value.pid, host: value.host, token: value.token };
  } catch {
    // Missing, or caught between its creation and its first write.
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

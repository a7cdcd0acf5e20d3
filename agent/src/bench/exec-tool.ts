import { spawn } from 'node:child_process';

export type ToolFailure = 'not-found' | 'timeout' | 'aborted' | 'failed';

export interface ToolResult {
  stdout: string;
  stderr: string;
  /** Null when the process never ran or was killed. */
  exitCode: number | null;
  error: ToolFailure | null;
}

export interface ToolOptions {
  timeoutMs: number;
  /** Aborting kills the process group and answers at once with error 'aborted'. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

// docker exec of a benchmark prints a few hundred lines at most; a runaway must not fill memory.
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Runs a program the benchmark depends on (docker, go). Unlike the collectors' runCommand it can
 * be aborted, which is how Ctrl-C reaches a running `docker exec` before the cleanup starts. The
 * child gets its own process group, so the terminal's SIGINT goes to the agent alone and the
 * agent decides the order: stop the child, then remove what the run created.
 */
export function execTool(
  cmd: string,
  args: readonly string[],
  options: ToolOptions,
): Promise<ToolResult> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve({ stdout: '', stderr: '', exitCode: null, error: 'aborted' });
      return;
    }

    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    let settled = false;

    const detached = process.platform !== 'win32';
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
      windowsHide: true,
      env: options.env ?? process.env,
      cwd: options.cwd,
    });

    const kill = () => {
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    };

    const finish = (exitCode: number | null, error: ToolFailure | null, note?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();

      const err = Buffer.concat(stderr).toString('utf8');
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: note ? `${err}${err && !err.endsWith('\n') ? '\n' : ''}${note}` : err,
        exitCode,
        error,
      });
    };

    const onAbort = () => {
      kill();
      finish(null, 'aborted', `${cmd} was stopped`);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const timer = setTimeout(() => {
      kill();
      finish(null, 'timeout', `${cmd} did not finish within ${options.timeoutMs} ms`);
    }, options.timeoutMs);

    const collect = (chunks: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > MAX_OUTPUT_BYTES) {
        kill();
        finish(null, 'failed', `${cmd} printed more than ${MAX_OUTPUT_BYTES} bytes`);
        return;
      }
      chunks.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish(null, 'not-found', `${cmd} was not found on PATH`);
      else finish(null, 'failed', `${cmd} could not run: ${error.message}`);
    });
    child.on('close', (code) => finish(code, null));
  });
}

/** The last lines a failed tool printed (where docker and go put the cause), for a person. */
export function describeFailure(result: ToolResult): string {
  const lines = result.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const detail = lines.slice(-3).join(' | ').slice(0, 600);
  const head = result.error ?? `exit ${result.exitCode ?? 'signal'}`;
  return detail ? `${head}: ${detail}` : head;
}

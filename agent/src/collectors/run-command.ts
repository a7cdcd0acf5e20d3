import { spawn } from 'node:child_process';

export type CommandFailure = 'not-found' | 'timeout' | 'failed';

export interface CommandResult<Out extends string | Buffer = string> {
  stdout: Out;
  stderr: string;
  /** Null when the process never ran or was killed. */
  exitCode: number | null;
  /** 'failed' covers the rare spawn errors other than a missing binary (EACCES, output cap). */
  error: CommandFailure | null;
}

export interface RunOptions {
  timeoutMs: number;
  encoding?: 'utf8' | 'buffer';
}

// Far above anything docker or wsl.exe print; a runaway process must not fill the agent's memory.
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
const EXIT_GRACE_MS = 200;

export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunOptions & { encoding: 'buffer' },
): Promise<CommandResult<Buffer>>;
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunOptions & { encoding?: 'utf8' },
): Promise<CommandResult<string>>;

/**
 * The one way the agent runs an external program. It never throws and never waits longer than
 * the timeout: on expiry it kills the whole process group and answers at once, because a killed
 * shell script can leave a grandchild (`sleep`, a stuck docker CLI) holding stdout open, and
 * waiting for the pipe to close would then wait for the grandchild.
 */
export function runCommand(
  cmd: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CommandResult<string | Buffer>> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    let settled = false;

    const finish = (exitCode: number | null, error: CommandFailure | null, note?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();

      const out = Buffer.concat(stdout);
      const err = Buffer.concat(stderr).toString('utf8');
      resolve({
        stdout: options.encoding === 'buffer' ? out : out.toString('utf8'),
        stderr: note ? `${err}${err && !err.endsWith('\n') ? '\n' : ''}${note}` : err,
        exitCode,
        error,
      });
    };

    // A new process group on POSIX lets the timeout kill grandchildren too. On Windows `detached`
    // would open a console window, and killing the child is all that is available anyway.
    const detached = process.platform !== 'win32';
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached,
      windowsHide: true,
    });

    const kill = () => {
      try {
        if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // Already gone: nothing left to stop.
      }
    };

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

    const timer = setTimeout(() => {
      kill();
      finish(null, 'timeout', `${cmd} did not finish within ${options.timeoutMs} ms`);
    }, options.timeoutMs);

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish(null, 'not-found', `${cmd} was not found on PATH`);
      else finish(null, 'failed', `${cmd} could not run: ${error.message}`);
    });
    // 'close' fires once stdout is fully read. A grandchild that inherited the pipe can hold it
    // open after the command itself exited, so 'exit' gives the pipe a moment and then answers.
    child.on('close', (code) => finish(code, null));
    child.on('exit', (code) => {
      setTimeout(() => finish(code, null), EXIT_GRACE_MS).unref();
    });
  });
}

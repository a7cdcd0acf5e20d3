import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/devfleet-agent.js', import.meta.url));
const BUILT_MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface AgentRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/**
 * Runs the built agent the way a developer does, as its own process. The environment is exactly
 * `env`: tests choose PATH (to plant or hide docker) and DEVFLEET_AGENT_HOME themselves.
 */
export function runAgent(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
): Promise<AgentRun> {
  if (!existsSync(BUILT_MAIN)) {
    throw new Error('agent/dist is missing: run `npm run build --workspace=devfleet-agent` first');
  }

  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ exitCode, stdout, stderr, elapsedMs: performance.now() - started });
      },
    );
  });
}

/** The environment of a test agent: nothing from the developer's shell leaks in. */
export function agentEnv(overrides: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = { HOME: process.env.HOME ?? '/nonexistent' };
  if (process.env.SYSTEMROOT) base.SYSTEMROOT = process.env.SYSTEMROOT;
  return { ...base, ...overrides };
}

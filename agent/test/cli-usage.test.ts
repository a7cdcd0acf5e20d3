import { describe, expect, it } from 'vitest';

import { agentEnv, runAgent } from './helpers/agent-process.js';

describe('devfleet-agent without a command', () => {
  it.each([
    [[], 'devfleet-agent'],
    [['bench'], 'devfleet-agent bench'],
    [['schedule'], 'devfleet-agent schedule'],
  ])('%j prints the help and fails with a usage error', async (args, group) => {
    const run = await runAgent(args, agentEnv({}));

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^Usage: ${group} \\[options\\] \\[command\\]\\n`));
    expect(
      run.stderr.endsWith(
        `\nerror AGENT_USAGE: ${group} needs a command: one of those listed above\n`,
      ),
    ).toBe(true);
    expect(run.stderr).not.toContain('outputHelp');
  });

  it('prints the help on stdout and exits 0 for --help', async () => {
    const run = await runAgent(['--help'], agentEnv({}));

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Usage: devfleet-agent \[options\] \[command\]\n/);
    expect(run.stderr).toBe('');
  });
});

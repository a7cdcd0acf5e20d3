import type { Command } from 'commander';

import { runBenchmarks } from '../bench/run-benchmarks.js';
import { createProgress } from '../bench/progress.js';
import { collectReport } from '../collectors/collect-report.js';
import { AgentError } from '../config/agent-error.js';
import { runDoctorChecks, type DoctorCheck } from '../doctor/checks.js';
import { readProjectFacts } from '../doctor/project.js';
import { MIN_DESKTOP_VERSION } from '../doctor/thresholds.js';
import { collectContext } from './global-options.js';
import { printLine } from './output.js';

interface DoctorOptions {
  json?: boolean;
  measure?: boolean;
  minDesktop: string;
}

const EXIT_CHECK_FAILED = 1;

export function registerDoctorCommand(program: Command, setExitCode: (code: number) => void) {
  program
    .command('doctor')
    .description('check this machine and the current folder; exits 1 when a check fails')
    .option('--json', 'print the checks as JSON')
    .option('--measure', 'time bind mounts in this folder (the quick mount benchmark)')
    .option(
      '--min-desktop <version>',
      'oldest Docker Desktop the team supports',
      MIN_DESKTOP_VERSION,
    )
    .action(async (options: DoctorOptions, command: Command) => {
      if (!/^\d+(\.\d+)*$/.test(options.minDesktop)) {
        throw new AgentError('AGENT_USAGE', `--min-desktop takes a version like 4.34.0`);
      }
      const folder = process.cwd();
      const [report, project] = await Promise.all([
        collectReport(collectContext(command)),
        readProjectFacts(folder),
      ]);
      const mount = options.measure
        ? ((
            await runBenchmarks({
              kinds: ['mount'],
              quick: true,
              path: folder,
              progress: createProgress(),
            })
          )[0] ?? null)
        : null;

      const checks = runDoctorChecks({
        report,
        project,
        mount,
        minDesktopVersion: options.minDesktop,
      });
      printLine(options.json ? JSON.stringify(checks, null, 2) : formatChecks(checks));
      if (checks.some((c) => c.result === 'fail')) setExitCode(EXIT_CHECK_FAILED);
    });
}

const marks: Record<DoctorCheck['result'], string> = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' };

export function formatChecks(checks: readonly DoctorCheck[]): string {
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines = checks.flatMap((c) => [
    `${marks[c.result]}  ${c.title.padEnd(width)}  ${c.reason}`,
    ...(c.fix ? [`      ${' '.repeat(width)}  fix: ${c.fix}`] : []),
  ]);
  const failed = checks.filter((c) => c.result === 'fail').length;
  lines.push(
    '',
    failed === 0 ? 'all checks passed' : `${failed} ${failed === 1 ? 'check' : 'checks'} failed`,
  );
  return lines.join('\n');
}

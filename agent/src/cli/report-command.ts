import type { Command } from 'commander';

import path from 'node:path';

import { createProgress } from '../bench/progress.js';
import { runBenchmarks, type BenchKind } from '../bench/run-benchmarks.js';
import { readQueuedBuilds, removeQueuedBuilds } from '../builds/build-queue.js';
import { collectReport } from '../collectors/collect-report.js';
import { defaultConfigPath, loadConfig } from '../config/agent-config.js';
import { sendReport } from '../sending/send-report.js';
import { collectContext } from './global-options.js';
import { printLine } from './output.js';
import { AgentError } from '../config/agent-error.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('collect this machine’s facts and send them to the server')
    .option('--bench [kinds]', 'also run benchmarks: mount, build or mount,build (the default)')
    .option('--quick', 'with --bench: tiny sizes and 2 repetitions')
    .option('--path <dir>', 'with --bench: where the bind-mounted folder is made')
    .option('--mount-image <image>', 'with --bench: image for the file work')
    .option('--build-image <image>', 'with --bench: Go image for the reference build')
    .action(async (options: ReportOptions, command: Command) => {
      // Read the enrollment first: an unenrolled machine should not wait for docker to learn it.
      const configPath = defaultConfigPath();
      const config = await loadConfig(configPath);
      const home = path.dirname(configPath);
      const context = collectContext(command);

      const report = await collectReport(context);
      if (options.bench) {
        report.benchmarks = await runBenchmarks({
          kinds: benchKinds(options.bench),
          quick: options.quick === true,
          path: options.path,
          mountImage: options.mountImage,
          buildImage: options.buildImage,
          progress: createProgress(),
        });
      }
      // Builds timed while the server was away travel with the next report.
      const queued = await readQueuedBuilds(home);
      if (queued.length > 0) report.builds = queued.slice(0, 500);
      context.debug(`report ${report.reportId}: ${report.problems.length} problems`);

      const sent = await sendReport(config, report);
      context.debug(`server answered ${sent.status}`);
      if (queued.length > 0) await removeQueuedBuilds(home, report.builds?.map((b) => b.id) ?? []);
      printLine(`report ${report.reportId} accepted by ${config.serverUrl}`);
    });
}

interface ReportOptions {
  bench?: string | true;
  quick?: boolean;
  path?: string;
  mountImage?: string;
  buildImage?: string;
}

function benchKinds(value: string | true): BenchKind[] {
  if (value === true) return ['mount', 'build'];
  const kinds = value.split(',').map((k) => k.trim());
  const valid = kinds.filter((k): k is BenchKind => k === 'mount' || k === 'build');
  if (valid.length !== kinds.length) {
    throw new AgentError('AGENT_USAGE', `--bench takes mount, build or mount,build, not ${value}`);
  }
  return valid;
}

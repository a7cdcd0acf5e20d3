import type { Report } from '@devfleet/wire';
import type { Command } from 'commander';

import path from 'node:path';

import { createProgress } from '../bench/progress.js';
import { runBenchmarks, type BenchKind } from '../bench/run-benchmarks.js';
import { readQueuedBuilds, removeQueuedBuilds } from '../builds/build-queue.js';
import { collectReport } from '../collectors/collect-report.js';
import { defaultConfigPath, loadConfig, markKeyRejected } from '../config/agent-config.js';
import type { AgentConfig } from '../config/agent-config.js';
import { flushSpool, type FlushOptions, type FlushOutcome } from '../sending/flush-spool.js';
import { judgeReportResponse, postReport, type Verdict } from '../sending/send-report.js';
import { addToSpool, listSpool } from '../sending/spool.js';
import { formatRun } from './bench-table.js';
import { collectContext } from './global-options.js';
import { printLine, type Debug } from './output.js';
import { applyRedaction, redactOptions, type RedactOptions } from './redact-options.js';
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
    // Scheduled runs must not pile up behind a server that is down: 30 s of retries, then the
    // reports wait in the spool for the next run.
    .option('--retry-for <seconds>', 'retry an unreachable or failing server this long', '30')
    .option('--no-wait', 'try each report once and leave what fails in the spool')
    .addOption(redactOptions.user())
    .addOption(redactOptions.paths())
    .action(async (options: ReportOptions, command: Command) => {
      const context = collectContext(command);
      if (!options.wait && command.getOptionValueSource('retryFor') !== 'default') {
        throw new AgentError(
          'AGENT_USAGE',
          '--no-wait and --retry-for exclude each other: --no-wait tries each report once',
        );
      }
      const flush = flushOptions(options, context.debug);
      // Read the enrollment first: an unenrolled machine should not wait for docker to learn it.
      const configPath = defaultConfigPath();
      const config = await loadConfig(configPath);
      const home = path.dirname(configPath);

      let report = await collectReport(context);
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
      // Redacted before it touches the disk: the spool holds only what the server may see.
      report = await applyRedaction(report, options);
      context.debug(`report ${report.reportId}: ${report.problems.length} problems`);

      // The report goes to the spool first: if this run dies or the server is away, it waits
      // there for the next run, and the server receives the backlog in the order collected.
      await addToSpool(home, report);
      const outcome = await flushSpool(home, (r) => sendSpooled(config, r), flush);
      if (outcome.stoppedBy?.code === 'AGENT_KEY_REJECTED') {
        await markKeyRejected(configPath, config.machineId);
      }
      announce(outcome, report.reportId);
      await requireAccepted(home, outcome, report.reportId);

      if (queued.length > 0) await removeQueuedBuilds(home, report.builds?.map((b) => b.id) ?? []);
      printLine(`report ${report.reportId} accepted by ${config.serverUrl}`);
      // The report carries a benchmark that could not run; the user is told as by `bench`.
      for (const run of report.benchmarks ?? []) {
        if (run.status !== 'ok') process.stderr.write(`warning: ${formatRun(run)}\n`);
      }
    });
}

interface ReportOptions extends RedactOptions {
  bench?: string | true;
  quick?: boolean;
  path?: string;
  mountImage?: string;
  buildImage?: string;
  retryFor: string;
  wait: boolean;
}

const FIRST_RETRY_MS = 1_000;
// A run waiting for another one's flush: its whole retry budget, plus one request timeout.
const LOCK_SLACK_MS = 20_000;

function flushOptions(options: ReportOptions, debug: Debug): FlushOptions {
  const seconds = Number(options.retryFor);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new AgentError(
      'AGENT_USAGE',
      `--retry-for takes seconds (0 or more), not ${options.retryFor}`,
    );
  }
  const retryBudgetMs = options.wait ? seconds * 1000 : 0;
  // Tests and impatient operators shorten the backoff; the default suits a real outage.
  const firstRetryMs = Number(process.env.DEVFLEET_AGENT_RETRY_MS) || FIRST_RETRY_MS;
  return { retryBudgetMs, firstRetryMs, lockWaitMs: retryBudgetMs + LOCK_SLACK_MS, debug };
}

async function sendSpooled(config: AgentConfig, report: Report): Promise<Verdict> {
  return judgeReportResponse(config, await postReport(config, report));
}

/** Throws unless the server took this run's report; it stays in the spool or set aside. */
async function requireAccepted(home: string, outcome: FlushOutcome, reportId: string) {
  if (outcome.sent.some((r) => r.reportId === reportId)) return;

  const rejected = outcome.rejected.find((r) => r.reportId === reportId);
  if (rejected) {
    throw new AgentError(
      rejected.error.code,
      `${rejected.error.message}; kept in ${rejected.file}`,
    );
  }

  const waiting = await listSpool(home);
  // Gone from the spool without passing through this run: the run it waited for sent it.
  if (!waiting.some((entry) => entry.reportId === reportId)) return;

  const error = outcome.stoppedBy ?? new AgentError('AGENT_INTERNAL', 'the flush stopped early');
  const count = `${waiting.length} ${waiting.length === 1 ? 'report' : 'reports'} waiting`;
  throw new AgentError(
    error.code,
    `${error.message}; report ${reportId} is kept in the spool (${count}) and goes with the ` +
      'next report',
    { cause: error },
  );
}

/** Tells what happened to the backlog; the new report's own fate is the command's result. */
function announce(outcome: FlushOutcome, reportId: string): void {
  const backlog = outcome.sent.filter((r) => r.reportId !== reportId);
  if (backlog.length > 0) {
    printLine(`sent ${backlog.length} spooled ${backlog.length === 1 ? 'report' : 'reports'}`);
  }
  for (const rejected of outcome.rejected.filter((r) => r.reportId !== reportId)) {
    process.stderr.write(
      `warning: spooled report ${rejected.reportId} refused (${rejected.error.message}); ` +
        `moved to ${rejected.file}\n`,
    );
  }
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

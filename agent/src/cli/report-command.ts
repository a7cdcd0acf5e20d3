import type { Command } from 'commander';

import { collectReport } from '../collectors/collect-report.js';
import { defaultConfigPath, loadConfig } from '../config/agent-config.js';
import { sendReport } from '../sending/send-report.js';
import { collectContext } from './global-options.js';
import { printLine } from './output.js';

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('collect this machine’s facts and send them to the server')
    .action(async (_options: unknown, command: Command) => {
      // Read the enrollment first: an unenrolled machine should not wait for docker to learn it.
      const config = await loadConfig(defaultConfigPath());
      const context = collectContext(command);

      const report = await collectReport(context);
      context.debug(`report ${report.reportId}: ${report.problems.length} problems`);

      const sent = await sendReport(config, report);
      context.debug(`server answered ${sent.status}`);
      printLine(`report ${report.reportId} accepted by ${config.serverUrl}`);
    });
}

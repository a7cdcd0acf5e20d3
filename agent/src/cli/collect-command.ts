import type { Command } from 'commander';

import { collectReport } from '../collectors/collect-report.js';
import { printLine } from './output.js';
import { collectContext } from './global-options.js';
import { applyRedaction, redactOptions, type RedactOptions } from './redact-options.js';
import { formatReport } from './report-table.js';

export function registerCollectCommand(program: Command): void {
  program
    .command('collect')
    .description('collect this machine’s facts and print them; sends nothing')
    .option('--json', 'print the report as sent to the server')
    .addOption(redactOptions.user())
    .addOption(redactOptions.paths())
    .action(async (options: { json?: boolean } & RedactOptions, command: Command) => {
      const report = await applyRedaction(await collectReport(collectContext(command)), options);
      printLine(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    });
}

import os from 'node:os';

import { Option, type Command } from 'commander';

import { currentUser } from '../collectors/host.js';
import { defaultConfigPath, saveConfig } from '../config/agent-config.js';
import { enrollMachine } from '../sending/enroll.js';
import { parseServerUrl } from '../config/server-url.js';
import { printLine } from './output.js';

interface EnrollOptions {
  server: string;
  secret: string;
}

export function registerEnrollCommand(program: Command): void {
  program
    .command('enroll')
    .description('register this machine with a devfleet server and store its key')
    .requiredOption('--server <url>', 'the devfleet server, e.g. https://devfleet.example.com')
    // The environment variable keeps the secret out of shell history and `ps` for scripted installs.
    .addOption(
      new Option('--secret <secret>', 'the team’s enrollment secret')
        .env('DEVFLEET_ENROLL_SECRET')
        .makeOptionMandatory(),
    )
    .action(async (options: EnrollOptions) => {
      const serverUrl = parseServerUrl(options.server).href.replace(/\/+$/, '');
      const hostname = os.hostname();

      const enrolled = await enrollMachine(serverUrl, {
        secret: options.secret,
        hostname,
        user: currentUser(),
      });

      const file = defaultConfigPath();
      await saveConfig(file, { serverUrl, ...enrolled });
      printLine(`enrolled ${hostname} as machine ${enrolled.machineId}; key stored in ${file}`);
    });
}

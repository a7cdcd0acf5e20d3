import os from 'node:os';
import path from 'node:path';

import { Option, type Command } from 'commander';

import { currentUser } from '../collectors/host.js';
import {
  type AgentConfig,
  checkConfigWritable,
  defaultConfigPath,
  loadConfig,
  saveConfig,
  wasKeyRejected,
} from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import { parseServerUrl } from '../config/server-url.js';
import { hashUser, redactHostname } from '../privacy/redact.js';
import { loadRedactionSalt } from '../privacy/salt.js';
import { enrollMachine } from '../sending/enroll.js';
import { agentConfigSchema } from '../validation/validators.js';
import { printLine } from './output.js';

interface EnrollOptions {
  server: string;
  secret: string;
  owner?: string;
  redactUser?: boolean;
  force?: boolean;
}

export function registerEnrollCommand(program: Command): void {
  program
    .command('enroll')
    .description('register this machine with a devfleet server and store its key')
    .requiredOption('--server <url>', 'the devfleet server, e.g. https://devfleet.example.com')
    // The environment variable keeps the secret out of shell history and `ps` in scripted installs.
    .addOption(
      new Option('--secret <secret>', 'the team’s enrollment secret')
        .env('DEVFLEET_ENROLL_SECRET')
        .makeOptionMandatory(),
    )
    .option('--owner <name>', 'who the server shows as the machine’s owner (default: your user)')
    .option('--redact-user', 'send the user name as a salted hash, in the owner and host name')
    .option('--force', 'enroll again although this machine is enrolled (makes a new machine)')
    .action(async (options: EnrollOptions) => {
      // Everything that can be wrong locally is told before anything is sent.
      if (options.secret.trim() === '') {
        throw new AgentError(
          'AGENT_USAGE',
          '--secret is empty; give the team’s enrollment secret (or set DEVFLEET_ENROLL_SECRET)',
        );
      }
      const serverUrl = parseServerUrl(options.server).href.replace(/\/+$/, '');
      const file = defaultConfigPath();
      const previous = await previousEnrollment(file, options.force === true);
      const identity = await identityOf(options, path.dirname(file));
      await checkConfigWritable(file);

      const enrolled = await enrollMachine(serverUrl, { secret: options.secret, ...identity });
      const config = { serverUrl, ...enrolled };
      if (!agentConfigSchema.check(config)) {
        throw new AgentError(
          'AGENT_SERVER_RESPONSE_INVALID',
          `the server at ${serverUrl} sent a machine id or key the agent cannot store or send`,
        );
      }

      await saveConfig(file, config);
      printLine(
        `enrolled ${identity.hostname} (owner ${identity.user}) as machine ` +
          `${enrolled.machineId}; key stored in ${file}`,
      );
      if (previous) process.stderr.write(`note: ${revokeAdvice(previous)}\n`);
    });
}

/**
 * The enrollment this one would replace. Without --force it is refused: every enrollment makes a
 * new machine on the server, and the old one would linger there as a duplicate. A damaged
 * agent.json is no enrollment: the agent tells the user to enroll again in that case.
 */
async function previousEnrollment(file: string, force: boolean): Promise<AgentConfig | null> {
  let previous: AgentConfig;
  try {
    previous = await loadConfig(file);
  } catch (error) {
    if (error instanceof AgentError) return null;
    throw error;
  }
  const revoked = await wasKeyRejected(file, previous.machineId);
  if (force) return revoked ? null : previous;
  if (revoked) {
    throw new AgentError(
      'AGENT_ALREADY_ENROLLED',
      `this machine is enrolled with ${previous.serverUrl} as machine ${previous.machineId}, ` +
        'whose key the server refused (revoked); enroll again with --force',
    );
  }

  throw new AgentError(
    'AGENT_ALREADY_ENROLLED',
    `this machine is already enrolled with ${previous.serverUrl} as machine ` +
      `${previous.machineId}; enrolling again registers a second machine. To replace it, run ` +
      `enroll again with --force, then ${revokeAdvice(previous)}`,
  );
}

// The agent does not know whether the old machine was revoked already (a report refused with
// AGENT_KEY_REJECTED says so): asking for its revocation then would send the user in circles.
function revokeAdvice(previous: AgentConfig): string {
  return (
    `unless reports already fail with AGENT_KEY_REJECTED (revoked), ask the server admin to ` +
    `revoke the old machine ${previous.machineId} ` +
    `(POST ${previous.serverUrl}/api/v1/machines/${encodeURIComponent(previous.machineId)}` +
    '/revoke)'
  );
}

/**
 * The host name and owner the server will show. The owner is chosen here, once: reports do not
 * change it, so `report --redact-user` alone would still leave the real name as the owner.
 */
async function identityOf(
  options: EnrollOptions,
  configDir: string,
): Promise<{ hostname: string; user: string }> {
  const owner = options.owner === undefined ? undefined : ownerName(options.owner);
  const user = currentUser();
  if (!options.redactUser) return { hostname: os.hostname(), user: owner ?? user };

  const salt = await loadRedactionSalt(configDir);
  return {
    hostname: redactHostname(os.hostname(), user, salt),
    user: owner ?? hashUser(user, salt),
  };
}

function ownerName(text: string): string {
  const name = text.trim();
  if (name === '' || name.length > 256 || /\p{Cc}/u.test(name)) {
    throw new AgentError(
      'AGENT_USAGE',
      '--owner takes a name of 1 to 256 characters without control characters',
    );
  }
  return name;
}

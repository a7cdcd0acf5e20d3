import type { Command } from 'commander';

import type { CollectContext } from '../collectors/context.js';
import { createDebug } from './output.js';
import { readAgentVersion } from './version.js';

// Each command the agent runs gets this long; docker on a sleeping laptop answers in ~1 s.
const COMMAND_TIMEOUT_MS = 4_000;

export interface GlobalOptions {
  verbose: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{ verbose?: boolean }>();
  return { verbose: options.verbose === true };
}

export function collectContext(command: Command): CollectContext & { agentVersion: string } {
  return {
    timeoutMs: COMMAND_TIMEOUT_MS,
    debug: createDebug(globalOptions(command).verbose),
    agentVersion: readAgentVersion(),
  };
}

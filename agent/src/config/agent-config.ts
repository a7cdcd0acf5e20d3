import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { agentConfigSchema, type SchemaError } from '../validation/validators.js';
import type { AgentConfig } from './agent-config-schema.js';
import { AgentError } from './agent-error.js';
import { resolveConfigDir } from './config-dir.js';
import { parseServerUrl } from './server-url.js';

export type { AgentConfig } from './agent-config-schema.js';

const CONFIG_FILE = 'agent.json';

export function defaultConfigPath(): string {
  const dir = resolveConfigDir({
    platform: process.platform,
    env: process.env,
    homeDir: os.homedir(),
  });
  return path.join(dir, CONFIG_FILE);
}

export async function loadConfig(file: string): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) {
      throw new AgentError(
        'AGENT_NOT_ENROLLED',
        'this machine is not enrolled; run: devfleet-agent enroll --server URL --secret SECRET',
      );
    }
    throw new AgentError('AGENT_CONFIG_INVALID', `cannot read ${file}: ${describe(error)}`, {
      cause: error,
    });
  }

  let parsed: unknown;
  try {
    // Windows tools (Notepad before Windows 10 1903, PowerShell 5's `Set-Content -Encoding
    // UTF8`) start UTF-8 with a byte order mark, which JSON.parse refuses.
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // Not passed on as the cause: V8's message quotes the text around the error, key and all,
    // and --verbose prints causes.
    throw invalidConfig(file, 'it is not JSON');
  }
  // Say which field, never its value: the key is a credential and the URL may carry one.
  if (!agentConfigSchema.check(parsed)) {
    const fields = agentConfigSchema.errors(parsed).map(fieldOf);
    throw invalidConfig(file, `${[...new Set(fields)].join(', ')} missing or malformed`);
  }
  try {
    parseServerUrl(parsed.serverUrl);
  } catch (error) {
    throw invalidConfig(file, 'serverUrl is not an http(s) address without credentials', error);
  }
  return parsed;
}

function fieldOf(error: SchemaError): string {
  const missing = error.params.missingProperty;
  if (typeof missing === 'string') return missing;
  return error.instancePath.replace(/^\//, '') || 'the whole file';
}

/**
 * Writes the enrollment readable by the user only: the machine key is a bearer credential.
 * The file is written beside its final name and renamed, so a crash never leaves half a config.
 */
export async function saveConfig(file: string, config: AgentConfig): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${CONFIG_FILE}.${randomUUID()}.tmp`);

  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing directory's mode alone, and the umask can widen a new one.
    await chmod(dir, 0o700);

    await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new AgentError('AGENT_CONFIG_UNWRITABLE', `cannot write ${file}: ${describe(error)}`, {
      cause: error,
    });
  }
}

/**
 * Fails with AGENT_CONFIG_UNWRITABLE unless the enrollment could be saved to `file`: the folder
 * is made and a temporary file written and removed. `enroll` checks this before it registers a
 * machine, since a machine whose key cannot be stored stays on the server with nobody holding it.
 */
export async function checkConfigWritable(file: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${CONFIG_FILE}.${randomUUID()}.check.tmp`);

  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await writeFile(temp, '', { mode: 0o600 });
  } catch (error) {
    throw new AgentError('AGENT_CONFIG_UNWRITABLE', `cannot write ${file}: ${describe(error)}`, {
      cause: error,
    });
  } finally {
    await rm(temp, { force: true }).catch(() => undefined);
  }
}

// Beside agent.json: the machine whose key the server refused (revoked). enroll reads it so as
// not to ask for the revocation of a machine that is revoked already.
const KEY_REJECTED_FILE = 'key-rejected';

/** Remembers that the server refused this machine's key; best effort, a report failed anyway. */
export async function markKeyRejected(file: string, machineId: string): Promise<void> {
  await writeFile(path.join(path.dirname(file), KEY_REJECTED_FILE), `${machineId}\n`, {
    mode: 0o600,
  }).catch(() => undefined);
}

/** Whether a report of this machine was refused with AGENT_KEY_REJECTED. */
export async function wasKeyRejected(file: string, machineId: string): Promise<boolean> {
  try {
    const text = await readFile(path.join(path.dirname(file), KEY_REJECTED_FILE), 'utf8');
    return text.trim() === machineId;
  } catch {
    return false;
  }
}

function invalidConfig(file: string, why: string, cause?: unknown): AgentError {
  return new AgentError(
    'AGENT_CONFIG_INVALID',
    `${file} is damaged (${why}); enroll again with: devfleet-agent enroll --server URL --secret SECRET`,
    { cause },
  );
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

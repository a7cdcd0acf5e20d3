import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SALT_VARIABLE = 'DEVFLEET_REDACT_SALT';
const SALT_FILE = 'redact-salt';

/**
 * The salt of the user-name hashes. A team that wants one developer's machines to hash alike
 * sets DEVFLEET_REDACT_SALT to a secret of its own; otherwise each machine makes a random one
 * and keeps it beside its enrollment. Either way the server never learns it, so it cannot hash
 * a list of likely names to find who `user-3f2a9c1b` is.
 */
export async function loadRedactionSalt(configDir: string, env = process.env): Promise<string> {
  const fromEnv = env[SALT_VARIABLE];
  if (fromEnv) return fromEnv;

  const file = path.join(configDir, SALT_FILE);
  try {
    const saved = (await readFile(file, 'utf8')).trim();
    if (saved) return saved;
  } catch {
    // Not made yet.
  }

  const salt = randomBytes(16).toString('hex');
  await mkdir(configDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${salt}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return salt;
}

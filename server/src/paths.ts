import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file sits at server/src/paths.ts and, built, at server/dist/paths.js: both are two
// levels below the repository root, which holds migrations/ and web/dist/.
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const migrationsDir = path.join(repoRoot, 'migrations');
export const webDistDir = path.join(repoRoot, 'web', 'dist');

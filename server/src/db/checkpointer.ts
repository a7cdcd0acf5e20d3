import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import type { Db } from './client.js';

// What the worker runs: its own connection to the same file, checkpointing on a timer. PASSIVE
// never waits for the writer or readers; what it cannot copy now it copies next time. But the
// WAL only starts over once a checkpoint has caught up with the writer, which a writer that never
// pauses (a fleet flushing its spools, the bench generator) never lets happen: past a size, a
// RESTART checkpoint waits for a gap between two commits, copies the little PASSIVE left, and
// makes the next commit start the WAL over.
const source = `
const fs = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const walSize = () => {
  try {
    return fs.statSync(workerData.file + '-wal').size;
  } catch {
    return 0;
  }
};
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    if (walSize() > workerData.restartBytes) db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message ? error.message : error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

// How large the WAL may grow before a checkpoint makes it start over: a few seconds of the
// heaviest ingest, and a bound on the disk it takes.
const WAL_RESTART_BYTES = 64 * 1024 * 1024;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Moves WAL checkpoints off the thread that answers requests. By default SQLite checkpoints
 * inside the commit that crosses 1,000 pages of WAL: that commit then copies the pages into the
 * database file and syncs it while every request waits, which was half of what storing a report
 * cost. A worker thread with its own connection checkpoints instead, on the other core, and the
 * server's connection stops checkpointing once the worker runs. Should the worker fail, the
 * connection checkpoints for itself again, so the WAL never grows without bound.
 */
export async function startCheckpointer(
  db: Db,
  file: string,
  onError: (message: string) => void,
  { intervalMs = 500, restartBytes = WAL_RESTART_BYTES } = {},
): Promise<Checkpointer> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { driver, file, intervalMs, restartBytes };
  const worker = new Worker(source, { eval: true, workerData });
  let exited = false;
  const gone = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const started = await new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true));
    worker.once('error', (error) => {
      onError(error.message);
      resolve(false);
    });
  });
  if (!started) return { stop: () => gone };

  worker.on('message', (message: { error?: string }) => {
    if (message.error) onError(message.error);
  });
  worker.on('error', (error) => {
    db.$client.pragma('wal_autocheckpoint = 1000');
    onError(error.message);
  });
  db.$client.pragma('wal_autocheckpoint = 0');
  // Once the WAL starts over, its file is cut back to this size instead of staying at its peak.
  db.$client.pragma(`journal_size_limit = ${restartBytes}`);

  return {
    async stop() {
      if (db.$client.open) db.$client.pragma('wal_autocheckpoint = 1000');
      if (!exited) worker.postMessage('stop');
      await gone;
    },
  };
}

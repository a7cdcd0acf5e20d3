/**
 * The writer thread's entry: its own connection to the database and the same group commit the
 * server uses in-process (report-writer.ts). Reports arrive as JSON text, already validated by
 * the route; each answer names the request it belongs to.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { closeDatabase, openDatabase } from '../db/client.js';
import { DevfleetError } from '../errors.js';
import { LocalReportWriter } from './report-writer.js';
import type { WriterAnswer, WriterError, WriterRequest } from './writer-messages.js';

const port = parentPort;
if (!port) throw new Error('writer-thread.js runs as a worker thread');

const { file } = workerData as { file: string };
const db = openDatabase(file, { migrate: false });
// The server's checkpointer thread checkpoints; a commit here never does.
db.$client.pragma('wal_autocheckpoint = 0');
// Ingestion writes in an order that keeps every reference whole (the environment before the
// report, the report before its samples and change events), which the server's own connection
// checks in every test. Checking it again costs a dozen index lookups per report here.
db.$client.pragma('foreign_keys = OFF');
const writer = new LocalReportWriter(db);

port.on('message', (message: WriterRequest | 'close') => {
  if (message === 'close') {
    void writer.close().then(() => {
      closeDatabase(db);
      port.close();
    });
    return;
  }

  const { id, machineId, receivedAt, environment, rest } = message;
  writer.write({ machineId, receivedAt, split: { environment, rest } }).then(
    (result) => port.postMessage({ id, ok: true, result } satisfies WriterAnswer),
    (error: unknown) =>
      port.postMessage({ id, ok: false, error: describe(error) } satisfies WriterAnswer),
  );
});

function describe(error: unknown): WriterError {
  if (error instanceof DevfleetError) return { code: error.code, message: error.message };
  return { code: null, message: error instanceof Error ? error.message : String(error) };
}

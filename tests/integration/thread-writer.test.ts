import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type * as Client from '../../server/src/db/client.js';
import type { Db } from '../../server/src/db/client.js';
import type * as Machines from '../../server/src/db/machine-repository.js';
import type * as Reports from '../../server/src/db/report-repository.js';
import type * as ThreadWriter from '../../server/src/ingest/thread-writer.js';
import { sampleReport } from '../../server/test/helpers.js';
import { tempDir } from '../helpers/processes.js';

// The built server: the writer thread runs compiled JavaScript, as in production. It is loaded by
// path so that type checking, which runs before the build, reads the types from the sources.
const built = (file: string) => path.resolve(import.meta.dirname, '../../server/dist', file);
const { closeDatabase, openDatabase } = (await import(built('db/client.js'))) as typeof Client;
const { createMachine } = (await import(built('db/machine-repository.js'))) as typeof Machines;
const { storedReport } = (await import(built('db/report-repository.js'))) as typeof Reports;
const { ThreadReportWriter } = (await import(
  built('ingest/thread-writer.js')
)) as typeof ThreadWriter;

let dir: string;
let file: string;
let db: Db;

beforeEach(() => {
  dir = tempDir('thread-writer');
  file = path.join(dir, 'devfleet.db');
  db = openDatabase(file);
  createMachine(db, {
    id: 'm1',
    keyHash: 'k1',
    hostname: 'devhost-01',
    owner: 'devuser',
    enrolledAt: 0,
  });
});

afterEach(() => {
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the writer thread', () => {
  it('stores reports on its own connection and answers each once it committed', async () => {
    const failures: Error[] = [];
    const writer = ThreadReportWriter.start(file, db, (error) => failures.push(error));
    const reports = [sampleReport(), sampleReport(), sampleReport()];

    const results = await Promise.all(
      reports.map((report) => writer.write({ machineId: 'm1', report, receivedAt: Date.now() })),
    );
    const again = await writer.write({
      machineId: 'm1',
      report: reports[0]!,
      receivedAt: Date.now(),
    });
    await writer.close();

    expect(results.map((r) => r.duplicate)).toEqual([false, false, false]);
    expect(again.duplicate).toBe(true);
    for (const report of reports) expect(storedReport(db, report.reportId)?.report).toEqual(report);
    expect(failures).toEqual([]);
  });

  it('answers a coded refusal with its code', async () => {
    const writer = ThreadReportWriter.start(file, db, () => undefined);

    const refused = writer.write({
      machineId: 'no-such-machine',
      report: sampleReport(),
      receivedAt: 0,
    });

    await expect(refused).rejects.toMatchObject({ code: 'DEVFLEET_MACHINE_KEY_INVALID' });
    await writer.close();
  });

  it('stores on the calling thread once the writer thread died, and says so', async () => {
    const failures: Error[] = [];
    const writer = ThreadReportWriter.start(file, db, (error) => failures.push(error));
    const report = sampleReport();
    await writer.write({ machineId: 'm1', report: sampleReport(), receivedAt: Date.now() });

    await (writer as unknown as { worker: Worker }).worker.terminate();
    const result = await writer.write({ machineId: 'm1', report, receivedAt: Date.now() });
    await writer.close();

    expect(result.duplicate).toBe(false);
    expect(storedReport(db, report.reportId)?.report).toEqual(report);
    expect(failures.map((e) => e.message)).toEqual(['the writer thread stopped']);
  });
});

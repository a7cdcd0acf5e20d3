import { Worker } from 'node:worker_threads';

import type { Db } from '../db/client.js';
import type { RecordResult, ReportToRecord } from '../db/report-repository.js';
import { DevfleetError } from '../errors.js';
import { splitReport } from './raw-report.js';
import { LocalReportWriter, type ReportWriter } from './report-writer.js';
import type { WriterAnswer, WriterRequest } from './writer-messages.js';

interface Pending {
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Stores reports on a thread of their own, with its own connection. Storing a report is about
 * as much work as receiving and checking it; on this thread it leaves the request thread free
 * to take the next request, and uses the other core. WAL lets the request thread read while
 * this one writes. Should the thread die, reports are stored on the request thread instead:
 * slower, never lost.
 */
export class ThreadReportWriter implements ReportWriter {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private fallback: LocalReportWriter | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly db: Db,
    private readonly onFailure: (error: Error) => void,
  ) {
    worker.on('message', (answer: WriterAnswer) => this.settle(answer));
    worker.on('error', (error) => this.failOver(error));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        if (!this.closing) this.failOver(new Error('the writer thread stopped'));
        resolve();
      }),
    );
  }

  /** A writer thread on `file`; `db` is the request thread's connection, for the fallback. */
  static start(file: string, db: Db, onFailure: (error: Error) => void): ThreadReportWriter {
    const worker = new Worker(new URL('./writer-thread.js', import.meta.url), {
      workerData: { file },
    });
    return new ThreadReportWriter(worker, db, onFailure);
  }

  write(item: ReportToRecord): Promise<RecordResult> {
    if (this.fallback) return this.fallback.write(item);

    const id = this.nextId++;
    const split = 'split' in item ? item.split : splitReport(item.report);
    const request: WriterRequest = {
      id,
      machineId: item.machineId,
      receivedAt: item.receivedAt,
      ...split,
    };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  /** The thread stores what it was handed, answers it, closes its connection and ends. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.fallback) this.worker.postMessage('close');
    await this.exited;
    await this.fallback?.close();
  }

  private settle(answer: WriterAnswer): void {
    const pending = this.pending.get(answer.id);
    if (!pending) return;
    this.pending.delete(answer.id);
    if (answer.ok) pending.resolve(answer.result);
    else if (answer.error.code) {
      pending.reject(new DevfleetError(answer.error.code, answer.error.message));
    } else pending.reject(new Error(answer.error.message));
  }

  /**
   * Reports in flight when the thread died may or may not have committed: their requests fail
   * (5xx), and the agents send them again, which is safe because a report is stored once.
   */
  private failOver(error: Error): void {
    if (this.fallback) return;
    this.fallback = new LocalReportWriter(this.db);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.onFailure(error);
  }
}

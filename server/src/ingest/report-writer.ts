import type { Db } from '../db/client.js';
import { recordReports, type RecordResult, type ReportToRecord } from '../db/report-repository.js';

/**
 * Where the report route hands a validated report: the promise resolves once the report's
 * transaction committed, so the answer to the agent is the acknowledgement.
 */
export interface ReportWriter {
  write(item: ReportToRecord): Promise<RecordResult>;
  /** Stores what was handed in already, then lets go of the database. */
  close(): Promise<void>;
}

interface Pending {
  item: ReportToRecord;
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

// Large enough to carry a fleet's spool flush in a few commits, small enough that one commit
// never holds the event loop for long.
const MAX_BATCH = 256;

/**
 * Group commit for reports, on the thread that calls it. Requests that arrive together (a
 * hundred agents flushing their spools after an outage) are written in one transaction, and
 * each request is answered only after that transaction committed: an acknowledged report is on
 * disk, however many shared the commit. A lone report waits for nothing but the end of the
 * current event-loop turn.
 */
export class LocalReportWriter implements ReportWriter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly db: Db) {}

  write(item: ReportToRecord): Promise<RecordResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  async close(): Promise<void> {
    while (this.queue.length > 0) this.flush();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase: every request body parsed in this turn joins.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length > 0) this.schedule();

    let outcomes;
    try {
      outcomes = recordReports(
        this.db,
        batch.map((p) => p.item),
      );
    } catch (error) {
      // The commit itself failed (disk full, database closed): nothing of the batch is stored.
      for (const pending of batch) pending.reject(error);
      return;
    }

    outcomes.forEach((outcome, i) => {
      const pending = batch[i];
      if (!pending) return;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
  }
}

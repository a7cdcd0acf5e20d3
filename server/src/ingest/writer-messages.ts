import type { RecordResult } from '../db/report-repository.js';
import type { ErrorCode } from '../errors.js';

/** A validated report for the writer thread, as JSON text: a string crosses threads for free. */
export interface WriterRequest {
  id: number;
  machineId: string;
  receivedAt: number;
  report: string;
}

/** Why a report was not stored: a coded error the route answers with, or anything else. */
export interface WriterError {
  code: ErrorCode | null;
  message: string;
}

export type WriterAnswer =
  { id: number; ok: true; result: RecordResult } | { id: number; ok: false; error: WriterError };

import type { RecordResult } from '../db/report-repository.js';
import type { ErrorCode } from '../errors.js';

/**
 * A validated report for the writer thread, already split in the two JSON texts it is stored
 * as: strings cross threads for next to nothing, and the thread parses only what it reads.
 */
export interface WriterRequest {
  id: number;
  machineId: string;
  receivedAt: number;
  environment: string;
  rest: string;
}

/** Why a report was not stored: a coded error the route answers with, or anything else. */
export interface WriterError {
  code: ErrorCode | null;
  message: string;
}

export type WriterAnswer =
  { id: number; ok: true; result: RecordResult } | { id: number; ok: false; error: WriterError };

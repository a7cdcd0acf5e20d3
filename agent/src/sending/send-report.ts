import type { Report } from '@devfleet/wire';

import type { AgentConfig } from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import { reportAcceptedSchema } from '../validation/validators.js';
import { apiUrl, postJson, serverSays, type JsonResponse } from './http.js';

export interface SendResult {
  status: number;
  body: unknown;
}

/**
 * What an answer to a report means for the report:
 * - accepted: stored (201), or stored before (200 for a repeated reportId);
 * - retry: may succeed later unchanged (5xx, 408, 429; a network error is one too);
 * - reject: this report will never be taken (validation, size, an id clash);
 * - stop: no report can go until a human acts (revoked key, wrong server address, something
 *   that is not a devfleet server answering 2xx).
 */
export type Verdict =
  | { kind: 'accepted'; status: number; body: unknown }
  | { kind: 'retry'; status: number; error: AgentError; retryAfterMs?: number | null }
  | { kind: 'reject' | 'stop'; status: number; error: AgentError };

const NEVER_TAKEN = new Set([400, 409, 413, 415, 422]);
const TRY_AGAIN = new Set([408, 425, 429]);

/** POSTs one report; resolves with whatever the server answered, throws only when unreachable. */
export function postReport(config: AgentConfig, report: Report): Promise<JsonResponse> {
  const url = apiUrl(config.serverUrl, '/api/v1/reports');
  return postJson(url, report, { authorization: `Bearer ${config.machineKey}` });
}

/** Sends one report; resolves only when the server took it (2xx). */
export async function sendReport(config: AgentConfig, report: Report): Promise<SendResult> {
  const verdict = judgeReportResponse(config, await postReport(config, report));
  if (verdict.kind !== 'accepted') throw verdict.error;
  return { status: verdict.status, body: verdict.body };
}

export function judgeReportResponse(config: AgentConfig, response: JsonResponse): Verdict {
  const { status } = response;
  if (status >= 200 && status <= 299) {
    if (reportAcceptedSchema.check(response.body)) {
      return { kind: 'accepted', status, body: response.body };
    }
    return { kind: 'stop', status, error: notDevfleetAnswer(config, response) };
  }

  if (status === 401) {
    const error = new AgentError(
      'AGENT_KEY_REJECTED',
      `the server does not accept this machine's key (${serverSays(response)}): it was revoked, ` +
        `the server forgot it, or the key in agent.json was changed; enroll again with: ` +
        `devfleet-agent enroll --force --server ${config.serverUrl} --secret SECRET`,
    );
    return { kind: 'stop', status, error };
  }
  if (status >= 500 || TRY_AGAIN.has(status)) {
    const error = new AgentError(
      'AGENT_SERVER_ERROR',
      `the server failed to take the report: ${serverSays(response)}`,
    );
    return { kind: 'retry', status, error, retryAfterMs: response.retryAfterMs };
  }

  const error = new AgentError(
    'AGENT_REPORT_REJECTED',
    `the server refused the report: ${serverSays(response)}`,
  );
  return { kind: NEVER_TAKEN.has(status) ? 'reject' : 'stop', status, error };
}

/**
 * A 2xx that is not the server's receipt: a captive portal's login page, a proxy's error page, a
 * web server at the wrong path. The report was not stored, so it must stay in the spool.
 */
function notDevfleetAnswer(config: AgentConfig, response: JsonResponse): AgentError {
  const got = response.contentType ?? 'no content type';
  const what =
    response.body === null ? `a body that is not JSON (${got})` : `JSON without a receipt`;
  return new AgentError(
    'AGENT_SERVER_RESPONSE_INVALID',
    `${config.serverUrl} answered HTTP ${response.status} with ${what} instead of ` +
      '{reportId, machineId, duplicate}: is it a devfleet server, or is a proxy or captive ' +
      'portal in the way?',
  );
}

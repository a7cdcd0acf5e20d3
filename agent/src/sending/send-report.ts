import type { Report } from '@devfleet/wire';

import type { AgentConfig } from '../config/agent-config.js';
import { AgentError } from '../config/agent-error.js';
import { apiUrl, postJson, serverSays } from './http.js';

export interface SendResult {
  status: number;
  body: unknown;
}

/** Sends one report; resolves only when the server took it (2xx). */
export async function sendReport(config: AgentConfig, report: Report): Promise<SendResult> {
  const url = apiUrl(config.serverUrl, '/api/v1/reports');
  const response = await postJson(url, report, { authorization: `Bearer ${config.machineKey}` });

  if (response.status === 401) {
    throw new AgentError(
      'AGENT_KEY_REJECTED',
      `the server does not accept this machine's key (${serverSays(response)}): it was revoked ` +
        `or the server forgot it; enroll again with: devfleet-agent enroll --server ` +
        `${config.serverUrl} --secret SECRET`,
    );
  }
  if (response.status >= 500) {
    throw new AgentError(
      'AGENT_SERVER_ERROR',
      `the server failed to take the report: ${serverSays(response)}`,
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new AgentError(
      'AGENT_REPORT_REJECTED',
      `the server refused the report: ${serverSays(response)}`,
    );
  }
  return { status: response.status, body: response.body };
}

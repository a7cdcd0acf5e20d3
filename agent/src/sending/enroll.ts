import type { EnrollRequest, EnrollResponse } from '@devfleet/wire';

import { AgentError } from '../config/agent-error.js';
import { enrollResponseSchema } from '../validation/validators.js';
import { apiUrl, postJson, serverSays } from './http.js';

/** Trades the team's enrollment secret for this machine's id and key. */
export async function enrollMachine(
  serverUrl: string,
  request: EnrollRequest,
): Promise<EnrollResponse> {
  const response = await postJson(apiUrl(serverUrl, '/api/v1/enroll'), request);

  if (response.status === 401 || response.status === 403) {
    throw new AgentError(
      'AGENT_ENROLL_REJECTED',
      `the server rejected the enrollment secret (${serverSays(response)}); ` +
        'ask the server admin for the current secret',
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new AgentError('AGENT_SERVER_ERROR', `enrollment failed: ${serverSays(response)}`);
  }
  if (!enrollResponseSchema.check(response.body)) {
    throw new AgentError(
      'AGENT_SERVER_RESPONSE_INVALID',
      `the server at ${serverUrl} accepted the enrollment but did not send a machine id and key; ` +
        'is this a devfleet server?',
    );
  }
  return response.body;
}

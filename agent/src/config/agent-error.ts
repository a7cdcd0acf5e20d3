/**
 * Every failure the agent reports to its user. The code is stable: scripts and support answers
 * refer to it, so rename none of them; add new ones instead.
 */
export type AgentErrorCode =
  | 'AGENT_USAGE'
  | 'AGENT_NOT_ENROLLED'
  | 'AGENT_CONFIG_INVALID'
  | 'AGENT_CONFIG_UNWRITABLE'
  | 'AGENT_SERVER_URL_INVALID'
  | 'AGENT_SERVER_UNREACHABLE'
  | 'AGENT_SERVER_ERROR'
  | 'AGENT_SERVER_RESPONSE_INVALID'
  | 'AGENT_ENROLL_REJECTED'
  | 'AGENT_KEY_REJECTED'
  | 'AGENT_REPORT_REJECTED'
  | 'AGENT_REPORT_INVALID'
  | 'AGENT_SCHEDULE_FAILED'
  | 'AGENT_SPOOL_BUSY'
  | 'AGENT_BUILDX_UNAVAILABLE'
  | 'AGENT_PARSE_UNRECOGNIZED'
  | 'AGENT_ALREADY_ENROLLED'
  | 'AGENT_INTERNAL';

export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

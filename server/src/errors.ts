/**
 * Every error a client can see, with its stable code and HTTP status. Clients (the agent, the
 * dashboard, scripts) branch on `code`; the message is for people and may change.
 */
export const errorCatalog = {
  DEVFLEET_VALIDATION_FAILED: { status: 400, message: 'The request does not match the schema' },
  DEVFLEET_BAD_REQUEST: { status: 400, message: 'The request is not valid HTTP' },
  DEVFLEET_UNAUTHENTICATED: { status: 401, message: 'Missing or unknown credentials' },
  DEVFLEET_ENROLL_SECRET_INVALID: { status: 401, message: 'The enrollment secret is not valid' },
  DEVFLEET_MACHINE_KEY_INVALID: {
    status: 401,
    message: 'Unknown or revoked machine key: enroll again with devfleet-agent enroll --force',
  },
  DEVFLEET_LOGIN_FAILED: { status: 401, message: 'Wrong user name or password' },
  DEVFLEET_CSRF_TOKEN_INVALID: {
    status: 403,
    message: 'Missing or wrong CSRF token: reload the dashboard',
  },
  DEVFLEET_FORBIDDEN: { status: 403, message: 'Your role does not allow this' },
  DEVFLEET_NOT_FOUND: { status: 404, message: 'Not found' },
  DEVFLEET_REPORT_ID_CONFLICT: {
    status: 409,
    message: 'This report id was already used by another machine',
  },
  DEVFLEET_ALERT_STATE_CONFLICT: { status: 409, message: 'The alert is not in a state for that' },
  DEVFLEET_OWN_ADMIN_ROLE: {
    status: 409,
    message: 'An admin cannot remove itself or take its own admin role away',
  },
  DEVFLEET_REPORT_TOO_LARGE: { status: 413, message: 'The report is too large' },
  DEVFLEET_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  DEVFLEET_REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request did not arrive in time; send it again',
  },
  DEVFLEET_URL_TOO_LONG: { status: 414, message: 'A part of the URL is too long' },
  DEVFLEET_HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request line or headers are too large',
  },
  DEVFLEET_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send application/json' },
  DEVFLEET_SCHEMA_VERSION_UNSUPPORTED: {
    status: 422,
    message: 'This report schema version is not supported: update the agent',
  },
  DEVFLEET_RATE_LIMITED: { status: 429, message: 'Too many requests: retry later' },
  DEVFLEET_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export class DevfleetError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Sent as Retry-After with a 429. */
  retryAfterSeconds?: number;

  constructor(code: ErrorCode, message?: string) {
    super(message ?? errorCatalog[code].message);
    this.name = 'DevfleetError';
    this.code = code;
    this.statusCode = errorCatalog[code].status;
  }
}

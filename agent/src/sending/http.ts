import { ApiError } from '@devfleet/wire';
import { Value } from 'typebox/value';

import { AgentError } from '../config/agent-error.js';

export interface JsonResponse {
  status: number;
  body: unknown;
  /** The server's `{error:{code,message}}`, when the body is one. */
  apiError: ApiError['error'] | null;
  /** How long the server asked to wait (Retry-After on 429/503), in ms, when it said. */
  retryAfterMs: number | null;
}

// Long enough for a server busy with ingestion, short enough for a scheduled run to give up.
const REQUEST_TIMEOUT_MS = 15_000;

/** Checks a user-typed server address before anything is sent to it. */
export function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentError(
      'AGENT_SERVER_URL_INVALID',
      `"${text}" is not a URL; expected something like https://devfleet.example.com`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentError(
      'AGENT_SERVER_URL_INVALID',
      `"${text}" uses ${url.protocol}; the server is reached over http: or https:`,
    );
  }
  return url;
}

/** Joins an API path onto the server URL, keeping any path prefix the server is mounted under. */
export function apiUrl(serverUrl: string, apiPath: string): URL {
  const base = parseServerUrl(serverUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${apiPath}`, base);
}

/**
 * POSTs JSON and returns whatever the server answered, whatever the status; only a server that
 * cannot be reached throws. Callers decide what each status means for them.
 */
export async function postJson(
  url: URL,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new AgentError(
      'AGENT_SERVER_UNREACHABLE',
      `cannot reach ${url.origin}: ${networkReason(error)}`,
      { cause: error },
    );
  }

  const text = await response.text().catch(() => '');
  const body = parseJson(text);
  const apiError = Value.Check(ApiError, body) ? body.error : null;
  return { status: response.status, body, apiError, retryAfterMs: retryAfter(response) };
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
function retryAfter(response: Response): number | null {
  const value = response.headers.get('retry-after');
  if (!value) return null;

  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** "CODE: message" from the server's error body, or the bare status when it sent none. */
export function serverSays(response: JsonResponse): string {
  const { apiError, status } = response;
  return apiError ? `${apiError.code}: ${apiError.message}` : `HTTP ${status}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

// fetch() hides the useful part ("ECONNREFUSED", "ENOTFOUND") in error.cause.
function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

import http from 'node:http';
import https from 'node:https';

import type { ApiError } from '@devfleet/wire';

import { AgentError } from '../config/agent-error.js';
import { parseServerUrl } from '../config/server-url.js';
import { apiErrorSchema } from '../validation/validators.js';

export interface JsonResponse {
  status: number;
  /** The parsed JSON body; null when the body is not JSON (an HTML page, nothing at all). */
  body: unknown;
  /** The server's `{error:{code,message}}`, when the body is one. */
  apiError: ApiError['error'] | null;
  /** How long the server asked to wait (Retry-After on 429/503), in ms, when it said. */
  retryAfterMs: number | null;
  /** The media type the answer declared, without parameters; null when it declared none. */
  contentType: string | null;
}

// Long enough for a server busy with ingestion, short enough for a scheduled run to give up.
// Tests shorten it to see a silent server without waiting.
const REQUEST_TIMEOUT_MS = Number(process.env.DEVFLEET_AGENT_REQUEST_TIMEOUT_MS) || 15_000;
// The server's answers are a few hundred bytes; a proxy's or portal's page is not read whole.
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Joins an API path onto the server URL, keeping any path prefix the server is mounted under. */
export function apiUrl(serverUrl: string, apiPath: string): URL {
  const base = parseServerUrl(serverUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return new URL(`${prefix}${apiPath}`, base);
}

/**
 * POSTs JSON and returns whatever the server answered, whatever the status; only a server that
 * cannot be reached (or does not answer in time) throws. Callers decide what each status means.
 */
export async function postJson(
  url: URL,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  let answer: RawAnswer;
  try {
    answer = await exchange(url, JSON.stringify(payload), headers);
  } catch (error) {
    throw new AgentError(
      'AGENT_SERVER_UNREACHABLE',
      `cannot reach ${url.origin}: ${networkReason(error)}`,
      { cause: error },
    );
  }

  const body = parseJson(answer.text);
  const apiError = apiErrorSchema.check(body) ? body.error : null;
  return {
    status: answer.status,
    body,
    apiError,
    retryAfterMs: retryAfter(answer.retryAfter),
    contentType: answer.contentType?.split(';')[0]?.trim().toLowerCase() || null,
  };
}

interface RawAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
  contentType: string | null;
}

class NoAnswerInTime extends Error {
  override name = 'NoAnswerInTime';
}

/**
 * One request on its own connection. node:http rather than fetch: Node 20's fetch never settles
 * when a server accepts the connection and closes it at once, and its AbortSignal.timeout does
 * not keep the process alive, so the agent ended with exit 13 and no word. Here the deadline is
 * a timer the process waits for, and every way a connection can end settles the promise.
 */
function exchange(url: URL, body: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      finish();
    };
    const fail = (error: unknown) => settle(() => reject(error));

    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': Buffer.byteLength(body),
        ...headers,
      },
    });
    const deadline = setTimeout(
      () => request.destroy(new NoAnswerInTime(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)),
      REQUEST_TIMEOUT_MS,
    );

    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        settle(() =>
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfter: response.headers['retry-after'] ?? null,
            contentType: response.headers['content-type'] ?? null,
          }),
        );

      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      response.on('error', fail);
      response.on('close', () => {
        if (!response.complete)
          fail(new Error('the connection closed in the middle of the answer'));
      });
    });
    request.end(body);
  });
}

/** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
function retryAfter(value: string | null): number | null {
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

// The errno code ("ECONNREFUSED", "ENOTFOUND") is what a person searches for.
function networkReason(error: unknown): string {
  if (error instanceof NoAnswerInTime) return error.message;
  if (!(error instanceof Error)) return String(error);

  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNRESET') {
    return `the connection was closed without an answer (ECONNRESET: ${error.message})`;
  }
  return code ? `${code} (${error.message})` : error.message;
}

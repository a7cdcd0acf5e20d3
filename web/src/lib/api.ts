import type {
  Alert,
  AlertList,
  ApiError,
  DeveloperDetail,
  DeveloperList,
  EnrollmentSecretList,
  FleetOverview,
  FleetVersions,
  MachineDetail,
  MachineHealth,
  MachineList,
  NewEnrollmentSecret,
  Trends,
  UserList,
  UserRole,
  VersionField,
} from '@devfleet/wire';

import { session } from './session.svelte.js';

/** A failed API call: the server's coded error, or a network failure (status 0). */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

export function fetchMachines(signal?: AbortSignal): Promise<MachineList> {
  return getJson<MachineList>('/api/v1/machines', signal);
}

export function fetchMachine(id: string, signal?: AbortSignal): Promise<MachineDetail> {
  return getJson<MachineDetail>(`/api/v1/machines/${encodeURIComponent(id)}`, signal);
}

export function fetchMachineHealth(id: string, signal?: AbortSignal): Promise<MachineHealth> {
  return getJson<MachineHealth>(`/api/v1/machines/${encodeURIComponent(id)}/health`, signal);
}

export function fetchFleet(signal?: AbortSignal): Promise<FleetOverview> {
  return getJson<FleetOverview>('/api/v1/fleet', signal);
}

export function fetchVersions(field: VersionField, signal?: AbortSignal): Promise<FleetVersions> {
  return getJson<FleetVersions>(`/api/v1/fleet/versions?field=${field}&days=90`, signal);
}

/** `points`: about how many buckets the server aggregates to, the chart's width in pixels. */
export function fetchMachineTrends(
  id: string,
  range: TrendRange,
  signal?: AbortSignal,
): Promise<Trends> {
  const query = rangeQuery(range);
  return getJson<Trends>(`/api/v1/machines/${encodeURIComponent(id)}/trends?${query}`, signal);
}

export function fetchDevelopers(signal?: AbortSignal): Promise<DeveloperList> {
  return getJson<DeveloperList>('/api/v1/developers', signal);
}

export function fetchDeveloper(
  owner: string,
  range: TrendRange,
  signal?: AbortSignal,
): Promise<DeveloperDetail> {
  const path = `/api/v1/developers/${encodeURIComponent(owner)}?${rangeQuery(range)}`;
  return getJson<DeveloperDetail>(path, signal);
}

export function fetchAlerts(signal?: AbortSignal): Promise<AlertList> {
  return getJson<AlertList>('/api/v1/alerts', signal);
}

export function changeAlertStatus(id: string, action: 'acknowledge' | 'resolve'): Promise<Alert> {
  return request<Alert>('POST', `/api/v1/alerts/${encodeURIComponent(id)}/${action}`);
}

export function fetchEnrollmentSecrets(signal?: AbortSignal): Promise<EnrollmentSecretList> {
  return getJson<EnrollmentSecretList>('/api/v1/enrollment-secrets', signal);
}

export function createEnrollmentSecret(label: string): Promise<NewEnrollmentSecret> {
  return request<NewEnrollmentSecret>('POST', '/api/v1/enrollment-secrets', { label });
}

export function revokeEnrollmentSecret(id: string): Promise<void> {
  return request<void>('DELETE', `/api/v1/enrollment-secrets/${encodeURIComponent(id)}`);
}

export function revokeMachine(id: string): Promise<void> {
  return request<void>('POST', `/api/v1/machines/${encodeURIComponent(id)}/revoke`);
}

export function fetchUsers(signal?: AbortSignal): Promise<UserList> {
  return getJson<UserList>('/api/v1/users', signal);
}

export function saveUser(user: { username: string; password: string; role: UserRole }) {
  return request<{ username: string; role: UserRole }>('POST', '/api/v1/users', user);
}

export function removeUser(username: string): Promise<void> {
  return request<void>('DELETE', `/api/v1/users/${encodeURIComponent(username)}`);
}

export interface TrendRange {
  days: number;
  points: number;
}

function rangeQuery({ days, points }: TrendRange): string {
  const to = Date.now();
  const from = new Date(to - days * 24 * 3600 * 1000).toISOString();
  return new URLSearchParams({
    from,
    to: new Date(to).toISOString(),
    points: String(points),
  }).toString();
}

function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, undefined, signal);
}

/**
 * Every call to the server goes through here, so credentials and headers are decided in one
 * place. The body is trusted to match the wire types: the server serializes with the same schemas.
 */
async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // The session cookie goes by itself; a change also needs the token a forged form cannot read.
  if (method !== 'GET' && session.csrfToken) headers['x-csrf-token'] = session.csrfToken;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiRequestError(0, 'NETWORK', 'Could not reach the devfleet server.');
  }

  if (response.status === 401) session.signedOut();
  if (!response.ok) throw await readError(response);
  // Revocations and removals answer 204 with no body to parse.
  if (response.status === 204) return undefined as T;

  return (await response.json()) as T;
}

async function readError(response: Response): Promise<ApiRequestError> {
  const body: unknown = await response.json().catch(() => null);
  if (isApiError(body)) {
    return new ApiRequestError(response.status, body.error.code, body.error.message);
  }

  // A proxy or a server that is still starting answers without the JSON error shape.
  const reason = `${response.status} ${response.statusText}`.trim();
  return new ApiRequestError(
    response.status,
    `HTTP_${response.status}`,
    `The server answered ${reason}.`,
  );
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = body.error;

  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

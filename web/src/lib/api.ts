import type { ApiError, MachineDetail, MachineList } from '@devfleet/wire';

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

// The body is trusted to match the wire types: the server serializes with the same schemas.
async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiRequestError(0, 'NETWORK', 'Could not reach the devfleet server.');
  }

  if (!response.ok) throw await readError(response);

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

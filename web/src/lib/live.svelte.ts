import type { LiveEvent } from '@devfleet/wire';

export type LiveState = 'connecting' | 'live' | 'offline';

type Listener = (event: LiveEvent) => void;

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;

/**
 * The server's live feed (/api/v1/live), shared by every page: one websocket that reconnects on
 * its own with exponential backoff and jitter, so a restarted server is not stampeded. Pages
 * subscribe and reload what an event touches; a reconnect tells them to reload everything,
 * since events sent while offline are lost.
 */
class LiveFeed {
  state = $state<LiveState>('connecting');
  lastEventAt = $state<string | null>(null);

  #socket: WebSocket | null = null;
  #listeners = new Set<Listener>();
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  start(): void {
    if (this.#socket || this.#timer) return;
    this.#connect();
  }

  /** Calls `listener` for every event; returns the unsubscribe function (an effect's cleanup). */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #connect(): void {
    this.#timer = undefined;
    this.state = 'connecting';
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${protocol}//${window.location.host}/api/v1/live`);
    this.#socket = socket;

    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.state = 'live';
    });
    socket.addEventListener('message', (message) => {
      const event = parseEvent(message.data);
      if (!event) return;
      this.lastEventAt = event.at;
      for (const listener of this.#listeners) listener(event);
    });
    socket.addEventListener('close', () => {
      this.#socket = null;
      this.state = 'offline';
      this.#retry();
    });
  }

  #retry(): void {
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#timer = setTimeout(() => this.#connect(), ceiling / 2 + Math.random() * (ceiling / 2));
  }
}

function parseEvent(data: unknown): LiveEvent | null {
  if (typeof data !== 'string') return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === 'object' && value !== null && 'type' in value && 'at' in value) {
      return value as LiveEvent;
    }
  } catch {
    // Not JSON: ignored, the server only sends LiveEvents.
  }
  return null;
}

export const live = new LiveFeed();

/**
 * Runs `reload` (at most every `waitMs`) after live events that `matches` accepts, and after a
 * reconnect. Call while a component initializes; the subscription ends with the component.
 */
export function reloadOnLive(
  reload: () => void,
  matches: (event: LiveEvent) => boolean = (event) => event.type !== 'hello',
  waitMs = 500,
): void {
  $effect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let connected = false;
    const unsubscribe = live.subscribe((event) => {
      // The first hello is this page's own connection; a later one follows a reconnect.
      if (event.type === 'hello') {
        if (connected) schedule();
        connected = true;
        return;
      }
      if (matches(event)) schedule();
    });
    function schedule() {
      timer ??= setTimeout(() => {
        timer = undefined;
        reload();
      }, waitMs);
    }
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  });
}

import type { LiveEvent } from '@devfleet/wire';
import type { WebSocket } from 'ws';

// A dashboard that stops reading must not make the server buffer without bound: past this many
// unsent bytes a socket is dropped and the browser reconnects and reloads its data.
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** The open dashboard sockets, and the one way to push an event to all of them. */
export class LiveHub {
  private readonly sockets = new Set<WebSocket>();

  add(socket: WebSocket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    this.send(socket, { type: 'hello', at: new Date().toISOString() });
  }

  publish(event: LiveEvent): void {
    for (const socket of this.sockets) this.send(socket, event);
  }

  get size(): number {
    return this.sockets.size;
  }

  closeAll(): void {
    for (const socket of this.sockets) socket.close(1001, 'server shutting down');
    this.sockets.clear();
  }

  private send(socket: WebSocket, event: LiveEvent): void {
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      this.sockets.delete(socket);
      return;
    }
    socket.send(JSON.stringify(event));
  }
}

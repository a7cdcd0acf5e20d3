import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A port that accepts connections and never answers: 'close' ends each connection at once (a
 * crashed proxy, a firewall that resets), 'hang' keeps it open and silent.
 */
export async function startSilentServer(mode: 'close' | 'hang') {
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    if (mode === 'close') {
      socket.destroy();
      return;
    }
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// Hash routes: the server only has to serve index.html at `/`, with no fallback for deep links.

export type Route =
  { page: 'fleet' } | { page: 'machine'; machineId: string } | { page: 'not-found'; path: string };

export const fleetHref = '#/';

export function machineHref(machineId: string): string {
  return `#/machines/${encodeURIComponent(machineId)}`;
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { page: 'fleet' };

  const machine = /^\/machines\/([^/]+)\/?$/.exec(path);
  if (machine?.[1]) {
    try {
      return { page: 'machine', machineId: decodeURIComponent(machine[1]) };
    } catch {
      // A malformed escape such as `%E0%A4%A` in a hand-edited address: fall through.
    }
  }

  return { page: 'not-found', path };
}

class Router {
  route = $state<Route>(parseRoute(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseRoute(window.location.hash);
    });
  }
}

export const router = new Router();

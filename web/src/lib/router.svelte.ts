// Hash routes: the server only has to serve index.html at `/`, with no fallback for deep links.

export type Route =
  | { page: 'fleet'; search: string }
  | { page: 'machine'; machineId: string }
  | { page: 'developer'; owner: string }
  | { page: 'alerts' }
  | { page: 'admin' }
  | { page: 'not-found'; path: string };

export const fleetHref = '#/';
export const alertsHref = '#/alerts';
export const adminHref = '#/admin';

export function machineHref(machineId: string): string {
  return `#/machines/${encodeURIComponent(machineId)}`;
}

export function developerHref(owner: string): string {
  return `#/developers/${encodeURIComponent(owner)}`;
}

/** The fleet page with its filters in the address, so a filtered view can be shared. */
export function fleetQueryHref(search: string): string {
  return search ? `#/?${search}` : fleetHref;
}

export function parseRoute(hash: string): Route {
  const [path = '/', search = ''] = (hash.replace(/^#/, '') || '/').split('?', 2);
  if (path === '/' || path === '') return { page: 'fleet', search };
  if (path === '/alerts' || path === '/alerts/') return { page: 'alerts' };
  if (path === '/admin' || path === '/admin/') return { page: 'admin' };

  const match = /^\/(machines|developers)\/([^/]+)\/?$/.exec(path);
  if (match?.[2]) {
    try {
      const value = decodeURIComponent(match[2]);
      return match[1] === 'machines'
        ? { page: 'machine', machineId: value }
        : { page: 'developer', owner: value };
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

export type SessionState = 'checking' | 'signed-out' | 'signed-in';

interface SessionInfo {
  user: { username: string; role: string };
  csrfToken: string;
}

/**
 * Who is logged in, and the CSRF token every state-changing request must carry. The session
 * itself is an HttpOnly cookie the page never sees; this only mirrors what the server says.
 */
class Session {
  state = $state<SessionState>('checking');
  username = $state<string | null>(null);
  role = $state<string | null>(null);
  csrfToken: string | null = null;

  /**
   * Asks the server only when this browser signed in before: the server answers 401 without a
   * session, and Chromium logs every 401 as a console error, so each first visit would show one.
   */
  async check(): Promise<void> {
    if (!readHint()) {
      this.signedOut();
      return;
    }

    const res = await fetch('/api/v1/auth/session', { credentials: 'same-origin' }).catch(
      () => null,
    );
    if (res?.ok) this.#signIn((await res.json()) as SessionInfo);
    else this.signedOut();
  }

  /** Answers null when logged in, else the message to show. */
  async login(username: string, password: string): Promise<string | null> {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
      credentials: 'same-origin',
    }).catch(() => null);
    if (!res) return 'Could not reach the devfleet server.';
    if (res.status === 429) return 'Too many attempts: wait a minute and try again.';
    if (!res.ok) return 'Wrong user name or password.';

    this.#signIn((await res.json()) as SessionInfo);
    return null;
  }

  async logout(): Promise<void> {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {},
      credentials: 'same-origin',
    }).catch(() => null);
    this.signedOut();
  }

  /** The server answered 401: the session ended (logout elsewhere, expiry, restart). */
  signedOut(): void {
    writeHint(false);
    this.state = 'signed-out';
    this.username = null;
    this.role = null;
    this.csrfToken = null;
  }

  #signIn(info: SessionInfo): void {
    writeHint(true);
    this.username = info.user.username;
    this.role = info.user.role;
    this.csrfToken = info.csrfToken;
    this.state = 'signed-in';
  }
}

// Not the session (an HttpOnly cookie): only whether asking for it is worth a request.
const hintKey = 'devfleet.signed-in';

function readHint(): boolean {
  try {
    return localStorage.getItem(hintKey) === '1';
  } catch {
    // Storage disabled: always ask, as if the browser had signed in before.
    return true;
  }
}

function writeHint(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(hintKey, '1');
    else localStorage.removeItem(hintKey);
  } catch {
    // Storage disabled: nothing to remember.
  }
}

export const session = new Session();

import { AgentError } from './agent-error.js';

/**
 * Checks a server address before anything is sent to it: the one typed at `enroll` and the one
 * read back from agent.json. Messages never echo a password the address may carry.
 */
export function parseServerUrl(text: string): URL {
  const shown = hideCredentials(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AgentError(
      'AGENT_SERVER_URL_INVALID',
      `"${shown}" is not a URL; expected something like https://devfleet.example.com`,
    );
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AgentError(
      'AGENT_SERVER_URL_INVALID',
      `"${shown}" uses ${url.protocol}; the server is reached over http: or https:`,
    );
  }
  // The agent authenticates with its machine key; a user name or password in the address would
  // be stored in agent.json and sent on every request as Basic auth nobody asked for.
  if (url.username !== '' || url.password !== '') {
    throw new AgentError(
      'AGENT_SERVER_URL_INVALID',
      `"${shown}" carries a user name or password; give the address without them ` +
        '(the machine key is what authenticates the agent)',
    );
  }
  return url;
}

/**
 * The text with a user name and password replaced, for messages: after `//`, or at the start,
 * since `devuser:hunter2@fleet.example.com` parses as a URL of scheme `devuser:`.
 */
export function hideCredentials(text: string): string {
  return text.replace(/(^|\/\/)[^/?#\s]*@/g, '$1***@');
}

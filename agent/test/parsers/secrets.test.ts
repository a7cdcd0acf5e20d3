import { describe, expect, it } from 'vitest';

import { parseDockerInfo } from '../../src/parsers/docker-info.js';
import { maskSecrets } from '../../src/parsers/secrets.js';

describe('maskSecrets', () => {
  it.each([
    ['{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"}}}', 'dXNlcjpwYXNz'],
    ['HTTP Proxy: http://devuser:hunter2@proxy.corp:3128', 'hunter2'],
    ['export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123', 'ghp_'],
    ['LANGSMITH_API_KEY=lsv2_pt_0123456789abcdef0123', 'lsv2_pt'],
    ['msg="{\\"overrideProxyHttp\\":\\"http://u:pw@p:1\\",\\"password\\":\\"s3cr3t\\"}"', 's3cr3t'],
    ['Authorization: Bearer abcdefghijklmnop', 'abcdefghijklmnop'],
    ['Password:abc123 Cpus:3', 'abc123'],
    ['token = "two words"', 'two words'],
  ])('masks the secret in %s', (text, secret) => {
    const { text: masked, masked: count } = maskSecrets(text);
    expect(masked).not.toContain(secret);
    expect(count).toBeGreaterThan(0);
  });

  it('leaves harmless look-alikes alone', () => {
    const text =
      'credentialHelper: docker-credential-wincred.exe\nrequires env var LANGSMITH_API_KEY with access\nDisableAuth: false';
    expect(maskSecrets(text)).toEqual({ text, masked: 0 });
  });

  it('keeps proxy credentials out of what a parser returns', () => {
    const text =
      'Server:\n Server Version: 27.0.1\n HTTP Proxy: http://devuser:hunter2@proxy:3128\nCannot connect http://devuser:hunter2@x';
    expect(JSON.stringify(parseDockerInfo(text))).not.toContain('hunter2');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { buildApp } from '../src/app.js';
import { ConfigError, configVariables, loadConfig } from '../src/config/config.js';
import { closeDatabase, openDatabase } from '../src/db/client.js';
import { main } from '../src/main.js';
import { repoRoot } from '../src/paths.js';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-config-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function writeJson(name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('loadConfig', () => {
  it('fills in defaults when nothing is set', () => {
    const config = loadConfig({});

    expect(config).toMatchObject({
      configFile: null,
      host: '127.0.0.1',
      port: 8080,
      rulesPath: null,
      metricsToken: null,
    });
  });

  it('reads DEVFLEET_CONFIG, and an environment variable wins over the file', () => {
    const file = writeJson('devfleet.json', {
      DEVFLEET_PORT: 9090,
      DEVFLEET_HOST: '0.0.0.0',
      DEVFLEET_TRUST_PROXY: true,
      DEVFLEET_METRICS_TOKEN: 'file-token-0123456789',
    });

    const config = loadConfig({ DEVFLEET_CONFIG: file, DEVFLEET_PORT: '7070' });

    expect(config).toMatchObject({
      configFile: file,
      port: 7070,
      host: '0.0.0.0',
      trustProxy: true,
      metricsToken: 'file-token-0123456789',
    });
  });

  it.each(['80.5', '1e3', '0x1F90', ' 80', '8080abc'])(
    'reads only a plain whole number as a port, not %j',
    (port) => {
      expect(() => loadConfig({ DEVFLEET_PORT: port })).toThrow(
        /DEVFLEET_PORT: .* is not valid: expected a whole number 0 to 65535$/,
      );
    },
  );

  it('refuses a number where the file should hold text or a whole number, naming what fits', () => {
    const file = writeJson('devfleet.json', { DEVFLEET_PORT: true, DEVFLEET_LOG_LEVEL: 'loud' });

    expect(() => loadConfig({ DEVFLEET_CONFIG: file })).toThrow(
      'invalid configuration:\n' +
        '  DEVFLEET_PORT: true is not valid: expected a whole number 0 to 65535\n' +
        '  DEVFLEET_LOG_LEVEL: "loud" is not one of: fatal, error, warn, info, debug, trace, silent',
    );
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.2, 10.0.0.3', '10.0.0.2, 10.0.0.3'],
    ['loopback,10.0.0.0/8,fd00::/8', 'loopback,10.0.0.0/8,fd00::/8'],
  ])('reads DEVFLEET_TRUST_PROXY=%s', (text, value) => {
    expect(loadConfig({ DEVFLEET_TRUST_PROXY: text }).trustProxy).toEqual(value);
  });

  it.each(['maybe', '10.0.0.2, proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/2', 'yes'])(
    'refuses DEVFLEET_TRUST_PROXY=%s in one line naming the variable',
    (text) => {
      expect(() => loadConfig({ DEVFLEET_TRUST_PROXY: text })).toThrow(
        new RegExp(`^invalid configuration: DEVFLEET_TRUST_PROXY: "${text}" is not valid[^\\n]*$`),
      );
    },
  );

  it('resolves paths in the file against the file, not the working directory', () => {
    const file = writeJson('devfleet.json', {
      DEVFLEET_DB: 'db/x.db',
      DEVFLEET_RULES: 'rules.yml',
    });

    const config = loadConfig({ DEVFLEET_CONFIG: file });

    expect(config.dbPath).toBe(path.join(dir, 'db', 'x.db'));
    expect(config.rulesPath).toBe(path.join(dir, 'rules.yml'));
  });

  it('rejects a file with an unknown key, naming it', () => {
    const file = writeJson('devfleet.json', { DEVFLEET_PROT: 8080 });

    expect(() => loadConfig({ DEVFLEET_CONFIG: file })).toThrow(/unknown settings: DEVFLEET_PROT/);
  });

  it('rejects a file that is not a JSON object', () => {
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{ "DEVFLEET_PORT": ');

    expect(() => loadConfig({ DEVFLEET_CONFIG: broken })).toThrow(ConfigError);
    expect(() => loadConfig({ DEVFLEET_CONFIG: writeJson('a.json', [1]) })).toThrow(
      /one JSON object/,
    );
    expect(() => loadConfig({ DEVFLEET_CONFIG: path.join(dir, 'missing.json') })).toThrow(
      /cannot read/,
    );
  });

  it('checks values from the file and the environment by the same schema', () => {
    const file = writeJson('devfleet.json', { DEVFLEET_PORT: 'eighty' });

    expect(() => loadConfig({ DEVFLEET_CONFIG: file })).toThrow(/DEVFLEET_PORT/);
    expect(() => loadConfig({ DEVFLEET_METRICS_TOKEN: 'short' })).toThrow(/DEVFLEET_METRICS_TOKEN/);
  });

  it('takes DEVFLEET_RULES into the config, and buildApp loads the file it names', async () => {
    const rules = path.join(dir, 'rules.yml');
    fs.writeFileSync(rules, 'stale:\n  hours: -1\n');
    expect(loadConfig({ DEVFLEET_RULES: rules }).rulesPath).toBe(rules);

    const db = openDatabase(':memory:');
    try {
      await expect(
        buildApp({ config: { bodyLimitBytes: 1024, rulesPath: rules }, db }),
      ).rejects.toThrow(/stale\/hours/);
    } finally {
      closeDatabase(db);
    }
  });
});

describe('devfleet-server --help', () => {
  it('lists every setting with its default', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });

    expect(await main(['node', 'devfleet-server', '--help'])).toBe(0);

    for (const v of Object.values(configVariables)) {
      expect(out).toContain(v.name);
      expect(out).toContain(`(default: ${v.default})`);
    }
  });

  it('exits 78 naming the variable when a setting is wrong', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    vi.stubEnv('DEVFLEET_PORT', 'eighty');

    try {
      expect(await main(['node', 'devfleet-server', 'prune'])).toBe(78);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(err).toContain('DEVFLEET_PORT');
  });
});

describe('README', () => {
  it('documents every setting in the server configuration table', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Server configuration'));

    for (const v of Object.values(configVariables)) {
      expect(section).toMatch(new RegExp(`^\\| \`${v.name}\` +\\|`, 'm'));
    }
  });
});

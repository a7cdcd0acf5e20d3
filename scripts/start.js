#!/usr/bin/env node
// `npm start`: runs the server on the embedded SQLite database, enrolls this machine's agent
// against it and sends one report, so the fleet view opens with this machine in it.
//
// The agent's enrollment for this local server lives in ./data/agent, not in the user's config
// directory: a developer whose agent reports to the team server keeps that enrollment intact.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverBin = path.join(root, 'server', 'bin', 'devfleet-server.js');
const agentBin = path.join(root, 'agent', 'bin', 'devfleet-agent.js');

const env = {
  ...process.env,
  DEVFLEET_DB: process.env.DEVFLEET_DB ?? path.join(root, 'data', 'devfleet.db'),
};
const host = env.DEVFLEET_HOST ?? '127.0.0.1';
const port = env.DEVFLEET_PORT ?? '8080';
const browseHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const url = `http://${browseHost.includes(':') ? `[${browseHost}]` : browseHost}:${port}`;
const agentEnv = { ...env, DEVFLEET_AGENT_HOME: path.join(root, 'data', 'agent') };

function fail(message) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(1);
}

const creds = spawnSync(process.execPath, [serverBin, 'credentials', '--json'], {
  env,
  encoding: 'utf8',
});
if (creds.status !== 0) fail(`could not prepare the database:\n${creds.stderr}`);
const { enrollSecret, adminUsername, adminPassword } = JSON.parse(creds.stdout);

const server = spawn(process.execPath, [serverBin, 'start'], { env, stdio: 'inherit' });
server.on('exit', (code) => process.exit(code ?? 1));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));

async function waitForServer() {
  for (let i = 0; i < 100; i += 1) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill('SIGTERM');
  fail(`the server did not answer on ${url}/healthz`);
}

function agent(...args) {
  return spawnSync(process.execPath, [agentBin, ...args], { env: agentEnv, encoding: 'utf8' });
}

await waitForServer();

let sent = agent('report');
if (sent.status !== 0) {
  const enrolled = agent('enroll', '--server', url, '--secret', enrollSecret);
  if (enrolled.status !== 0) process.stderr.write(enrolled.stderr);
  sent = agent('report');
}
const reportLine =
  sent.status === 0
    ? 'this machine: enrolled and reported'
    : `this machine: the report failed:\n${sent.stderr.trim()}`;

process.stdout.write(`
  devfleet is running: ${url}

  admin login        ${adminUsername} / ${adminPassword ?? '(as printed on the first start)'}
  enrollment secret  ${enrollSecret}
  ${reportLine}

  On other machines:
    npx devfleet-agent enroll --server ${url} --secret ${enrollSecret}
    npx devfleet-agent report

  Ctrl-C stops the server.
`);

#!/usr/bin/env node
// `npm start`: runs the server on the embedded SQLite database, enrolls this machine's agent
// against it and sends one report, so the fleet view opens with this machine in it.
//
// The agent's enrollment for this local server lives beside the database (./data/agent), not in
// the user's config directory: a developer whose agent reports to the team server keeps that
// enrollment intact.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverBin = path.join(root, 'server', 'bin', 'devfleet-server.js');
const agentBin = path.join(root, 'agent', 'bin', 'devfleet-agent.js');

const env = {
  ...process.env,
  DEVFLEET_DB: process.env.DEVFLEET_DB ?? path.join(root, 'data', 'devfleet.db'),
};
const host = env.DEVFLEET_HOST ?? '127.0.0.1';
const agentEnv = { ...env, DEVFLEET_AGENT_HOME: path.join(path.dirname(env.DEVFLEET_DB), 'agent') };

/** Stops with the server's own exit code where there is one: 78 says the configuration is wrong. */
function fail(message, code = 1) {
  process.stderr.write(`npm start: ${message}\n`);
  process.exit(typeof code === 'number' && code > 0 ? code : 1);
}

/** Runs a bin of this repository; never throws: the exit code and output are the answer. */
async function node(bin, args, runEnv) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: runEnv,
      encoding: 'utf8',
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    return { status: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}

/** A JSON file's content, or null when it is missing or unreadable. */
function readJson(file) {
  try {
    // A byte order mark, as Windows editors write, is not JSON; the agent reads past it too.
    return JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
}

const creds = await node(serverBin, ['credentials', '--json'], env);
if (creds.status !== 0) fail(`the server cannot start:\n${creds.stderr}`, creds.status);
const { enrollSecret, adminUsername, adminPassword } = JSON.parse(creds.stdout);

// The server's own "listening on" line is the sign it is up, not an answer on the port: another
// server may already answer there, and this one is then about to fail.
const server = spawn(process.execPath, [serverBin, 'start'], {
  env,
  stdio: ['inherit', 'inherit', 'pipe'],
});
const url = await new Promise((resolve) => {
  let seen = '';
  server.stderr.on('data', (chunk) => {
    process.stderr.write(chunk);
    seen += chunk.toString();
    const match = /listening on (http:\/\/\S+)/.exec(seen);
    if (match) resolve(match[1]);
  });
  server.once('exit', (code) => {
    // The login was generated for this database and stays valid: a failed start must not lose it.
    if (adminPassword) {
      process.stderr.write(
        `admin login (generated, shown once): ${adminUsername} / ${adminPassword}\n`,
      );
    }
    fail(`the server stopped (exit ${code ?? 'by a signal'})`, code);
  });
});
server.removeAllListeners('exit');
server.on('exit', (code) => process.exit(code ?? 1));

// Ctrl-C reaches the server too (same process group); a signal sent to npm start alone is
// passed on. The server shuts down once, however many arrive.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));

// This agent home serves this local server only. Its key belongs to this database, so a new
// port only needs the new address; a key the database does not know (it was deleted) needs a
// new enrollment.
const agentConfig = path.join(agentEnv.DEVFLEET_AGENT_HOME, 'agent.json');
const enrolled = readJson(agentConfig);
if (enrolled && enrolled.serverUrl !== url) {
  fs.writeFileSync(agentConfig, `${JSON.stringify({ ...enrolled, serverUrl: url }, null, 2)}\n`);
}
let sent = enrolled ? await node(agentBin, ['report'], agentEnv) : null;
let enrolledNow = false;
if (!sent || /AGENT_KEY_REJECTED/.test(sent.stderr)) {
  const force = enrolled ? ['--force'] : [];
  const enrollment = await node(
    agentBin,
    ['enroll', '--server', url, '--secret', enrollSecret, ...force],
    agentEnv,
  );
  if (enrollment.status !== 0) process.stderr.write(enrollment.stderr);
  enrolledNow = enrollment.status === 0;
  sent = await node(agentBin, ['report'], agentEnv);
}
const reportLine =
  sent.status === 0
    ? `this machine: ${enrolledNow ? 'enrolled and reported' : 'reported'}`
    : `this machine: the report failed:\n${sent.stderr.trim()}`;
const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
const reach = loopback
  ? `This server listens on ${host} only: set DEVFLEET_HOST=0.0.0.0 (or put a TLS proxy in
  front) so that other machines reach it, and use that address in the commands above.`
  : 'Other machines use this server by an address they can reach.';

process.stdout.write(`
  devfleet is running: ${url}

  admin login        ${adminUsername} / ${adminPassword ?? '(as printed on the first start; set DEVFLEET_ADMIN_PASSWORD to replace it)'}
  enrollment secret  ${enrollSecret}
  ${reportLine}

  On other machines (agent/README.md says how to install the agent there):
    devfleet-agent enroll --server ${url} --secret ${enrollSecret}
    devfleet-agent report
  ${reach}

  Ctrl-C stops the server.
`);

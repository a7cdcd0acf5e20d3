/**
 * The agent's `collect` as a user runs it (the real bin, a child process): wall time, peak
 * memory of the Node process and the size of the report it would send; once with the Docker
 * daemon answering, once with a daemon that accepts connections and never answers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { agentBin } from '../tests/helpers/processes.js';
import { benchDir, check, kib, mib, ms, type BenchOptions, type Figure } from './lib/figures.js';

interface Collect {
  wallMs: number;
  peakBytes: number;
  reportBytes: number;
  daemon: string;
}

export async function runAgent(options: BenchOptions): Promise<Figure[]> {
  const runs = options.quick ? 1 : 5;
  const answering = await repeat(runs, () => collect({}));
  options.log(
    `  collect, daemon answering: ${ms(answering.wallMs, 0)}, ${mib(answering.peakBytes)}`,
  );

  const hung = await withHungDaemon((socket) => collect({ DOCKER_HOST: `unix://${socket}` }));
  options.log(`  collect, daemon hanging: ${ms(hung.wallMs, 0)}`);

  const daemon = `daemon ${answering.daemon}`;
  return [
    {
      area: 'agent',
      name: `collect wall time, Docker answering (${daemon}; worst of ${runs})`,
      measured: ms(answering.wallMs, 0),
      target: '≤ 1.5 s',
      met: check(options.quick, answering.wallMs <= 1500 && answering.daemon === 'running'),
    },
    {
      area: 'agent',
      name: `collect peak memory (Node process RSS; worst of ${runs})`,
      measured: mib(answering.peakBytes),
      target: '≤ 80 MB',
      met: check(options.quick, answering.peakBytes <= 80 * 1000 * 1000),
    },
    {
      area: 'agent',
      name: `collect wall time, daemon hangs (daemon ${hung.daemon})`,
      measured: ms(hung.wallMs, 0),
      target: '≤ 5 s',
      met: check(options.quick, hung.wallMs <= 5000),
    },
    {
      area: 'agent',
      name: 'report size as sent (compact JSON, no benchmarks)',
      measured: kib(answering.reportBytes),
      target: '≤ 64 KB',
      met: check(options.quick, answering.reportBytes <= 64 * 1000),
    },
  ];
}

async function repeat(runs: number, fn: () => Promise<Collect>): Promise<Collect> {
  let worst: Collect | undefined;
  for (let i = 0; i < runs; i++) {
    const run = await fn();
    if (!worst || run.wallMs > worst.wallMs)
      worst = { ...run, peakBytes: Math.max(run.peakBytes, worst?.peakBytes ?? 0) };
    else worst.peakBytes = Math.max(worst.peakBytes, run.peakBytes);
  }
  if (!worst) throw new Error('no runs');
  return worst;
}

function collect(env: Record<string, string>): Promise<Collect> {
  const preload = path.join(benchDir, 'lib', 'peak-rss.mjs');
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', preload, agentBin, 'collect', '--json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const wallMs = performance.now() - start;
      const peak = /bench-peak-rss-kib=(\d+)/.exec(stderr)?.[1];
      if (code !== 0 || !peak) {
        reject(new Error(`collect exited with ${code}:\n${stderr}`));
        return;
      }
      const report = JSON.parse(stdout) as { docker: { daemon: { state: string } } };
      resolve({
        wallMs,
        peakBytes: Number(peak) * 1024,
        reportBytes: Buffer.byteLength(JSON.stringify(report)),
        daemon: report.docker.daemon.state,
      });
    });
  });
}

/** A unix socket that accepts the docker CLI's connection and never says a word. */
async function withHungDaemon<T>(fn: (socket: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfleet-hung-'));
  const socket = path.join(dir, 'docker.sock');
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => open.add(s));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  try {
    return await fn(socket);
  } finally {
    for (const s of open) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

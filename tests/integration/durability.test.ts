import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { durableServer, type DurableServer } from '../helpers/durable-server.js';
import { ENROLL_SECRET, repoRoot, runAgent, tempDir } from '../helpers/processes.js';

const burstScript = path.join(repoRoot, 'tests', 'helpers', 'report-burst.mjs');

// Issue #7, "nothing lost": the real server bin, crashed and restarted on the same database,
// and the agent's own spool; acknowledged reports survive, and every report arrives once.
describe('durability of reports', () => {
  let server: DurableServer | undefined;
  const dirs: string[] = [];

  afterEach(async () => {
    await server?.dispose();
    server = undefined;
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  const agentHome = () => {
    const home = tempDir('agent');
    dirs.push(home);
    return home;
  };

  const enroll = async (home: string, url: string) => {
    const run = await runAgent(['enroll', '--server', url, '--secret', ENROLL_SECRET], {
      DEVFLEET_AGENT_HOME: home,
    });
    expect(run.stderr).toBe('');
    return JSON.parse(fs.readFileSync(path.join(home, 'agent.json'), 'utf8')) as {
      machineId: string;
    };
  };

  it('sends the 20 reports made while the server was down, in order, once each', async () => {
    server = durableServer();
    await server.start();
    const home = agentHome();
    // No docker on PATH: collection takes no time and the runs stay quick.
    const env = { DEVFLEET_AGENT_HOME: home, PATH: agentHome() };
    const { machineId } = await enroll(home, server.url);
    await server.kill('SIGTERM');

    for (let i = 1; i <= 20; i++) {
      const run = await runAgent(['report', '--no-wait'], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error AGENT_SERVER_UNREACHABLE: cannot reach .*ECONNREFUSED/);
      expect(run.stderr).toContain(`(${i} ${i === 1 ? 'report' : 'reports'} waiting)`);
    }
    const spooled = spooledIds(home);
    expect(spooled).toHaveLength(20);

    await server.start();
    const run = await runAgent(['report'], { ...env, DEVFLEET_AGENT_RETRY_MS: '50' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sent 20 spooled reports');
    expect(spooledIds(home)).toEqual([]);

    const rows = readDb(server.dbPath, (db) =>
      db
        .prepare(
          'SELECT id, collected_at FROM reports WHERE machine_id = ? ORDER BY received_at, rowid',
        )
        .all(machineId),
    ) as { id: string; collected_at: number }[];
    expect(rows).toHaveLength(21);
    expect(rows.slice(0, 20).map((r) => r.id)).toEqual(spooled);
    const collected = rows.map((r) => r.collected_at);
    expect(collected).toEqual([...collected].sort((a, b) => a - b));
    // 22 agent processes one after another: ~0.5 s each, several on a loaded 2-core machine.
  }, 90_000);

  it('keeps every acknowledged report through SIGKILLs in a burst of 1,000', async () => {
    // About crashes, not the per-machine rate limit (250 a machine stays under it anyway).
    server = durableServer({ DEVFLEET_REPORT_RATE_LIMIT: '100000' });
    await server.start();
    const homes = [agentHome(), agentHome(), agentHome(), agentHome()];
    const machineIds = await Promise.all(
      homes.map(async (home) => (await enroll(home, server?.url ?? '')).machineId),
    );

    // One realistic body from the real collector; the burst varies its id and collection time.
    const collect = await runAgent(['collect', '--json'], { DEVFLEET_AGENT_HOME: homes[0] ?? '' });
    expect(collect.code).toBe(0);
    const template = path.join(homes[0] ?? '', 'collected.json');
    fs.writeFileSync(template, collect.stdout);

    const acked = new Map<string, string[]>();
    const crashes: { acknowledged: number; integrity: string; missing: string[] }[] = [];
    const killAt = [300, 650];
    const kills: Promise<void>[] = [];
    let restarting = false;

    const crashAndRestart = async (running: DurableServer) => {
      await running.kill('SIGKILL');
      // What the server acknowledged before it died, read from the file it left behind.
      const acknowledged = [...acked.keys()];
      const { integrity, ids } = readDb(running.dbPath, (db) => ({
        integrity: db.pragma('integrity_check', { simple: true }) as string,
        ids: new Set(
          (db.prepare('SELECT id FROM reports').all() as { id: string }[]).map((r) => r.id),
        ),
      }));
      crashes.push({
        acknowledged: acknowledged.length,
        integrity,
        missing: acknowledged.filter((id) => !ids.has(id)),
      });
      await running.start();
    };

    const burst = spawn(
      process.execPath,
      [burstScript, JSON.stringify({ homes, template, perAgent: 250 })],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    burst.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const done = await new Promise<{ pending: number[] }>((resolve, reject) => {
      let buffered = '';
      let result: { pending: number[] } | null = null;
      burst.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const [kind, id, status] = line.split(' ');
          if (kind === 'ack' && id && status) acked.set(id, [...(acked.get(id) ?? []), status]);
          if (kind === 'done') result = JSON.parse(line.slice(5)) as { pending: number[] };
        }
        if (!restarting && server && killAt[0] !== undefined && acked.size >= killAt[0]) {
          killAt.shift();
          restarting = true;
          kills.push(crashAndRestart(server).finally(() => (restarting = false)));
        }
      });
      burst.once('exit', (code) => {
        if (code === 0 && result) resolve(result);
        else reject(new Error(`burst exited with ${code}:\n${stderr}`));
      });
    });
    await Promise.all(kills);

    // Both crashes happened, each left a sound database holding every acknowledged report.
    expect(crashes).toHaveLength(2);
    for (const crash of crashes) {
      expect(crash.integrity).toBe('ok');
      expect(crash.missing).toEqual([]);
      expect(crash.acknowledged).toBeGreaterThan(0);
    }

    // With the spool, all 1,000 arrived, each stored once and whole.
    expect(done.pending).toEqual([0, 0, 0, 0]);
    expect(acked.size).toBe(1000);
    const stored = readDb(server.dbPath, (db) => ({
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      reports: db
        .prepare(
          `SELECT r.id, count(e.id) AS environments FROM reports r
           LEFT JOIN environments e ON e.id = r.environment_id
           WHERE r.machine_id IN (${machineIds.map(() => '?').join(', ')}) GROUP BY r.id`,
        )
        .all(...machineIds) as { id: string; environments: number }[],
    }));
    expect(stored.integrity).toBe('ok');
    expect(stored.reports).toHaveLength(1000);
    expect(new Set(stored.reports.map((r) => r.id))).toEqual(new Set(acked.keys()));
    expect(stored.reports.every((r) => r.environments === 1)).toBe(true);
    // The server said "new" (201) at most once per report; a report whose answer was lost in a
    // crash came again from the spool and was answered 200.
    const created = [...acked.values()].map((statuses) => statuses.filter((s) => s === '201'));
    expect(created.every((answers) => answers.length <= 1)).toBe(true);
  }, 120_000);
});

/** The spooled reports' ids, oldest first. */
function spooledIds(home: string): string[] {
  const dir = path.join(home, 'spool');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /^\d{15}-\d{6}-.+\.json$/.test(name))
    .sort()
    .map((name) => name.replace(/^\d{15}-\d{6}-(.+)\.json$/, '$1'));
}

/** Opens the database the way the next server start would (recovering the WAL), then closes. */
function readDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

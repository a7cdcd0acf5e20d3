import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Report } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { acquireLock } from '../src/sending/file-lock.js';
import {
  addToSpool,
  forgetDropped,
  listSpool,
  readDropped,
  readSpooled,
  REJECTED_DIR,
  setAside,
  SPOOL_DIR,
} from '../src/sending/spool.js';
import { sampleReport } from './helpers/sample-report.js';

const BUILT_SPOOL = fileURLToPath(new URL('../dist/sending/spool.js', import.meta.url));

describe('spool', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-spool-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(home, { recursive: true, force: true });
  });

  const add = (count: number, limits = { maxReports: 500, maxBytes: 20 * 1024 * 1024 }) =>
    Promise.all(
      Array.from({ length: count }, () => sampleReport()).map((report) =>
        addToSpool(home, report, limits).then(() => report),
      ),
    );

  it('lists reports in the order they were spooled, even within one millisecond', async () => {
    const reports = [];
    for (let i = 0; i < 30; i++) reports.push(await addToSpool(home, sampleReport()));

    const listed = await listSpool(home);
    expect(listed.map((e) => e.reportId)).toEqual(reports.map((e) => e.reportId));
  });

  it('keeps creation order when the clock steps back', async () => {
    const first = await addToSpool(home, sampleReport());
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() - 3_600_000);
    const second = await addToSpool(home, sampleReport());

    expect((await listSpool(home)).map((e) => e.name)).toEqual([first.name, second.name]);
  });

  it('writes each report whole, readable by the user only, leaving no temporary file', async () => {
    const report = sampleReport();
    const entry = await addToSpool(home, report);

    const text = await readSpooled(entry);
    expect(Value.Check(Report, JSON.parse(text ?? ''))).toBe(true);
    expect(JSON.parse(text ?? '')).toEqual(report);
    if (process.platform !== 'win32') expect((await stat(entry.file)).mode & 0o777).toBe(0o600);
    const names = await readdir(path.join(home, SPOOL_DIR));
    expect(names.filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  });

  it('ignores files that are not spooled reports', async () => {
    await addToSpool(home, sampleReport());
    const dir = path.join(home, SPOOL_DIR);
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    await writeFile(path.join(dir, '.tmp-123-abc'), '{"half":');

    expect(await listSpool(home)).toHaveLength(1);
  });

  it('drops the oldest reports beyond the count limit and counts them', async () => {
    const limits = { maxReports: 5, maxBytes: 1024 * 1024 };
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push((await addToSpool(home, sampleReport(), limits)).reportId);

    expect((await listSpool(home)).map((e) => e.reportId)).toEqual(ids.slice(3));
    expect(await readDropped(home)).toBe(3);
  });

  it('drops the oldest reports beyond the size limit but always keeps the newest', async () => {
    const size = Buffer.byteLength(JSON.stringify(sampleReport())) + 1;
    const limits = { maxReports: 100, maxBytes: size * 3 };
    for (let i = 0; i < 5; i++) await addToSpool(home, sampleReport(), limits);
    expect(await listSpool(home)).toHaveLength(3);

    const huge = sampleReport({
      problems: [{ source: 'x', code: 'y', message: 'z'.repeat(4000) }],
    });
    const kept = await addToSpool(home, huge, limits);
    expect((await listSpool(home)).map((e) => e.name)).toEqual([kept.name]);
    expect(await readDropped(home)).toBe(5);
  });

  it('forgets only the dropped count a report carried', async () => {
    await add(4, { maxReports: 1, maxBytes: 1024 * 1024 });
    expect(await readDropped(home)).toBe(3);

    await forgetDropped(home, 2);
    expect(await readDropped(home)).toBe(1);
    await forgetDropped(home, 5);
    expect(await readDropped(home)).toBe(0);
  });

  it('sets a refused report aside with the reason', async () => {
    const [entry] = [
      await addToSpool(home, sampleReport()),
      await addToSpool(home, sampleReport()),
    ];

    const file = await setAside(home, entry, {
      status: 413,
      code: 'AGENT_REPORT_REJECTED',
      message: 'the server refused the report: DEVFLEET_REPORT_TOO_LARGE: big',
    });

    expect(path.dirname(file)).toBe(path.join(home, SPOOL_DIR, REJECTED_DIR));
    expect(existsSync(file)).toBe(true);
    const reason = JSON.parse(await readFile(file.replace(/\.json$/, '.error.json'), 'utf8'));
    expect(reason).toMatchObject({ reportId: entry.reportId, status: 413 });
    expect(reason.message).toContain('DEVFLEET_REPORT_TOO_LARGE');
    expect(await listSpool(home)).toHaveLength(1);
  });

  it('loses nothing when many writers in this process spool at once', async () => {
    const reports = await add(60);

    const listed = await listSpool(home);
    expect(new Set(listed.map((e) => e.reportId))).toEqual(new Set(reports.map((r) => r.reportId)));
    expect(new Set(listed.map((e) => e.name)).size).toBe(60);
  });

  it('loses nothing and stays bounded when two processes spool at once', async (ctx) => {
    if (!existsSync(BUILT_SPOOL)) ctx.skip('agent/dist is missing: build the agent first');
    const limits = { maxReports: 70, maxBytes: 1024 * 1024 };

    await Promise.all([
      spoolFromProcess(home, 'a', 40, limits),
      spoolFromProcess(home, 'b', 40, limits),
    ]);

    const listed = await listSpool(home);
    expect(listed).toHaveLength(70);
    expect(await readDropped(home)).toBe(10);
    for (const entry of listed) {
      expect(Value.Check(Report, JSON.parse((await readSpooled(entry)) ?? ''))).toBe(true);
    }
    // Each writer's own reports stay in the order it wrote them.
    for (const writer of ['a', 'b']) {
      const order = listed.filter((e) => e.reportId.startsWith(writer)).map((e) => e.reportId);
      expect(order).toEqual([...order].sort());
    }
  });
});

describe('lock file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'devfleet-test-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lets one holder in at a time', async () => {
    const file = path.join(dir, '.lock');
    const release = await acquireLock(file, { waitMs: 0 });
    expect(release).not.toBeNull();

    expect(await acquireLock(file, { waitMs: 100 })).toBeNull();
    await release?.();
    const again = await acquireLock(file, { waitMs: 0 });
    expect(again).not.toBeNull();
    await again?.();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over at once a lock whose process is gone', async () => {
    const file = path.join(dir, '.lock');
    const dead = await deadPid();
    await writeFile(file, JSON.stringify({ pid: dead, host: os.hostname(), token: 'old' }));

    const release = await acquireLock(file, { waitMs: 0 });
    expect(release).not.toBeNull();
    await release?.();
  });

  it('takes over a lock nobody refreshed for the stale time', async () => {
    const file = path.join(dir, '.lock');
    await writeFile(file, JSON.stringify({ pid: 1, host: 'another-host', token: 'old' }));
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);

    const release = await acquireLock(file, { waitMs: 0, staleMs: 30_000 });
    expect(release).not.toBeNull();
    await release?.();
  });

  it('keeps a live holder’s lock fresh so that it is never judged stale', async () => {
    const file = path.join(dir, '.lock');
    const release = await acquireLock(file, { waitMs: 0, staleMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 700));

    expect(await acquireLock(file, { waitMs: 0, staleMs: 300 })).toBeNull();
    await release?.();
  });
});

/** Spools `count` reports from a separate node process running the built agent. */
function spoolFromProcess(
  home: string,
  writer: string,
  count: number,
  limits: { maxReports: number; maxBytes: number },
): Promise<void> {
  const script = `
    import { addToSpool } from ${JSON.stringify(BUILT_SPOOL)};
    const report = JSON.parse(process.argv[1]);
    for (let i = 0; i < ${count}; i++) {
      const id = '${writer}' + String(i).padStart(8, '0');
      await addToSpool(${JSON.stringify(home)}, { ...report, reportId: id }, ${JSON.stringify(limits)});
    }`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, JSON.stringify(sampleReport())],
      { timeout: 30_000 },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
    );
  });
}

async function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['-e', '0'], () => resolve(child.pid ?? 999_999));
  });
}

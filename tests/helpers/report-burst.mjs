// A burst of reports from several enrolled agents at once, each doing what `devfleet-agent report`
// does (spool the report, then flush the spool in order) but without a process and a collection
// per report. Run by tests/integration/durability.test.ts with the built agent.
//
// argv[2]: JSON {homes: string[], template: string (a collected report's file), perAgent: number}
// stdout, one line each: `ack <reportId> <status>` when the server acknowledged a report, then
// `done <json>` with the reports still spooled per agent after the final flush.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadConfig } from '../../agent/dist/config/agent-config.js';
import { flushSpool } from '../../agent/dist/sending/flush-spool.js';
import { judgeReportResponse, postReport } from '../../agent/dist/sending/send-report.js';
import { addToSpool, listSpool } from '../../agent/dist/sending/spool.js';

const { homes, template, perAgent } = JSON.parse(process.argv[2]);
const collected = JSON.parse(await readFile(template, 'utf8'));

// While the server is away each report fails at once; an agent's next run comes later.
const PAUSE_AFTER_FAILURE_MS = 40;
const burstOptions = { retryBudgetMs: 0, firstRetryMs: 50, lockWaitMs: 30_000 };
const finalOptions = { retryBudgetMs: 30_000, firstRetryMs: 100, lockWaitMs: 30_000 };

const write = (line) => process.stdout.write(`${line}\n`);

async function runAgent(home, index) {
  const config = await loadConfig(path.join(home, 'agent.json'));
  const send = async (report) => judgeReportResponse(config, await postReport(config, report));
  const flush = async (options) => {
    const outcome = await flushSpool(home, send, options);
    for (const sent of outcome.sent) write(`ack ${sent.reportId} ${sent.status}`);
    for (const rejected of outcome.rejected) write(`rejected ${rejected.reportId}`);
    return outcome;
  };

  for (let i = 0; i < perAgent; i++) {
    const reportId = `burst-${index}-${String(i).padStart(4, '0')}-${randomUUID().slice(0, 8)}`;
    await addToSpool(home, { ...collected, reportId, collectedAt: new Date().toISOString() });
    const outcome = await flush(burstOptions);
    if (outcome.stoppedBy) await sleep(PAUSE_AFTER_FAILURE_MS);
  }

  // The backlog left by the last outage goes once the server answers again.
  await flush(finalOptions);
  return (await listSpool(home)).length;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const pending = await Promise.all(homes.map((home, index) => runAgent(home, index)));
write(`done ${JSON.stringify({ pending })}`);

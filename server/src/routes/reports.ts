import { ACCEPTED_SCHEMA_VERSIONS, Report, ReportAccepted } from '@devfleet/wire';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';

import type { FailureLimiter } from '../auth/failure-limiter.js';
import { hashMachineKey } from '../auth/keys.js';
import type { Db } from '../db/client.js';
import { findActiveMachineByKeyHash } from '../db/machine-repository.js';
import { DevfleetError } from '../errors.js';
import type { Detection } from '../alerts/detection.js';
import type { ReportWriter } from '../ingest/report-writer.js';
import type { LiveHub } from '../live/hub.js';
import { exampleMachineId, reportExample, withExample } from '../openapi/examples.js';

const accepted: readonly number[] = ACCEPTED_SCHEMA_VERSIONS;

export const reportRoutes: FastifyPluginAsyncTypebox<{
  db: Db;
  failures: FailureLimiter;
  writer: ReportWriter;
  hub: LiveHub;
  detection: Detection;
  reportsPerMinute: number;
}> = async (app, { db, failures, writer, hub, detection, reportsPerMinute }) => {
  app.post(
    '/api/v1/reports',
    {
      schema: {
        tags: ['agent'],
        summary: 'Send a report',
        description:
          "A machine's environment, benchmarks and builds at one time. Stored in one " +
          'transaction; 201 when stored, 200 when this report id was stored already (an agent ' +
          'resending from its spool). Health, detection and alerts run after the answer. ' +
          'Rate-limited per machine key (DEVFLEET_REPORT_RATE_LIMIT a minute).',
        security: [{ machineKey: [] }],
        body: withExample(Report, reportExample),
        response: {
          200: withExample(
            { ...ReportAccepted, description: 'Stored already: nothing changed' },
            { reportId: reportExample.reportId, machineId: exampleMachineId, duplicate: true },
          ),
          201: withExample(
            { ...ReportAccepted, description: 'Stored' },
            { reportId: reportExample.reportId, machineId: exampleMachineId, duplicate: false },
          ),
        },
      },
      // Per machine key: a runaway agent gets 429 with Retry-After and the others are unaffected.
      config: {
        rateLimit: {
          max: reportsPerMinute,
          timeWindow: 60_000,
          keyGenerator: (request: FastifyRequest) => keyHashOf(request) ?? request.ip,
        },
      },
      // Authenticate before the body is validated, so an unknown caller learns nothing about
      // the schema and costs no validation work.
      preValidation: async (request, reply) => {
        const keyHash = keyHashOf(request);
        if (!keyHash) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED');

        const machineId = findActiveMachineByKeyHash(db, keyHash);
        if (!machineId) {
          // A known key always gets through, so one address trying keys cannot lock out the
          // agents behind the same NAT; the one trying is slowed down.
          failures.check(request.ip);
          failures.fail(request.ip);
          throw new DevfleetError('DEVFLEET_MACHINE_KEY_INVALID');
        }
        request.machineId = machineId;
        // Every later line of this request, "request completed" included, names the machine.
        request.log = reply.log = request.log.child({ machineId });
      },
    },
    async (request, reply) => {
      const report = request.body;
      const machineId = request.machineId;
      if (!machineId) throw new DevfleetError('DEVFLEET_UNAUTHENTICATED');
      if (!accepted.includes(report.schemaVersion)) {
        throw new DevfleetError('DEVFLEET_SCHEMA_VERSION_UNSUPPORTED');
      }

      // The writer resolves once the report's transaction committed: the reply below is the
      // acknowledgement.
      const { duplicate, series } = await writer.write({
        machineId,
        report,
        receivedAt: Date.now(),
      });
      if (!duplicate) app.metrics.reportIngested();

      request.log.info({ reportId: report.reportId, duplicate }, 'report stored');
      if (!duplicate) {
        hub.publish({
          type: 'report',
          machineId,
          hostname: report.host.hostname,
          reportId: report.reportId,
          at: new Date().toISOString(),
        });
        // Detection runs after the acknowledgement is on its way: the agent never waits on it.
        if (series.length > 0) detection.schedule(machineId, series);
      }
      return reply
        .code(duplicate ? 200 : 201)
        .send({ reportId: report.reportId, machineId, duplicate });
    },
  );
};

/**
 * The SHA-256 of the request's Bearer machine key, computed once: the rate limit keys on it
 * before authentication, and authentication looks it up.
 */
function keyHashOf(request: FastifyRequest): string | null {
  if (request.machineKeyHash !== undefined) return request.machineKeyHash;
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  request.machineKeyHash = match?.[1] ? hashMachineKey(match[1]) : null;
  return request.machineKeyHash;
}

declare module 'fastify' {
  interface FastifyRequest {
    machineId?: string;
    machineKeyHash?: string | null;
  }
}

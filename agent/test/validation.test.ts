import { BuildRecord, Report, SCHEMA_VERSION } from '@devfleet/wire';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';

import { assertValidReport } from '../src/collectors/collect-report.js';
import {
  buildRecordSchema,
  reportSchema,
  SCHEMA_VERSION as COMPILED_VERSION,
} from '../src/validation/validators.js';
import { sampleReport } from './helpers/sample-report.js';

// The checks the agent runs are compiled from the wire schemas at build; TypeBox, reading the
// same schemas, is the reference they must agree with.
const reports: [string, unknown][] = [
  ['a valid report', sampleReport()],
  ['no host', { ...sampleReport(), host: undefined }],
  ['a field the schema does not know', { ...sampleReport(), extra: 1 }],
  ['a time that is not a date-time', { ...sampleReport(), collectedAt: 'yesterday' }],
  ['a negative CPU count', { ...sampleReport(), host: { ...sampleReport().host, cpus: -1 } }],
  ['a daemon state not in the list', withDaemonState('sleeping')],
  ['a report id too short', { ...sampleReport(), reportId: 'abc' }],
  ['not an object', 'report'],
];

function withDaemonState(state: string): unknown {
  const report = sampleReport();
  return { ...report, docker: { ...report.docker, daemon: { state, error: null } } };
}

describe('the compiled schema checks', () => {
  it.each(reports)('judge %s as TypeBox does', (_, value) => {
    expect(reportSchema.check(value)).toBe(Value.Check(Report, value));
  });

  it('accept the valid report and refuse each broken one', () => {
    const accepted = reports.filter(([, value]) => reportSchema.check(value)).map(([name]) => name);

    expect(accepted).toEqual(['a valid report']);
  });

  it('carry the schema version of the wire format', () => {
    expect(COMPILED_VERSION).toBe(SCHEMA_VERSION);
  });

  it('judge a queued build as TypeBox does', () => {
    const build: BuildRecord = {
      id: 'build-0001',
      source: 'time',
      name: 'api',
      command: 'go build ./...',
      startedAt: '2026-12-01T10:00:00.000Z',
      durationMs: 1234,
      exitCode: 0,
      succeeded: true,
      fingerprint: null,
      pathKind: 'wsl-ext4',
      cacheRatio: null,
    };
    const broken = [{ ...build, durationMs: 'slow' }, { ...build, exitCode: 1.5 }, {}];

    expect(buildRecordSchema.check(build)).toBe(true);
    for (const value of [build, ...broken]) {
      expect(buildRecordSchema.check(value)).toBe(Value.Check(BuildRecord, value));
    }
  });

  it('name what is wrong with a report that breaks the schema', () => {
    const broken = { ...sampleReport(), host: undefined, collectedAt: 'yesterday' };

    expect(() => assertValidReport(broken)).toThrow(
      expect.objectContaining({
        code: 'AGENT_REPORT_INVALID',
        message: expect.stringMatching(/must have required property 'host'.*\/collectedAt must/),
      }),
    );
  });
});

import type { ApiError, BuildRecord, EnrollResponse, Report, ReportAccepted } from '@devfleet/wire';

import * as compiled from '#validators';
import type { AgentConfig } from '../config/agent-config-schema.js';

/** One way a value breaks its schema, as Ajv says it. */
export interface SchemaError {
  /** JSON pointer to the value, "" for the whole. */
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

export interface Validator<T> {
  check: (value: unknown) => value is T;
  /** Every way the value breaks the schema; empty when it fits. */
  errors: (value: unknown) => SchemaError[];
}

type Compiled = (typeof compiled)['report'];

function validator<T>(validate: Compiled): Validator<T> {
  return {
    check: (value): value is T => validate(value),
    errors: (value) => {
      if (validate(value)) return [];
      return (validate.errors ?? []).map((error) => ({
        instancePath: error.instancePath,
        keyword: error.keyword,
        message: error.message ?? error.keyword,
        params: error.params,
      }));
    },
  };
}

/** The schema version of the wire format this agent was built with. */
export const SCHEMA_VERSION = compiled.SCHEMA_VERSION;

export const reportSchema = validator<Report>(compiled.report);
export const buildRecordSchema = validator<BuildRecord>(compiled.buildRecord);
export const reportAcceptedSchema = validator<ReportAccepted>(compiled.reportAccepted);
export const enrollResponseSchema = validator<EnrollResponse>(compiled.enrollResponse);
export const apiErrorSchema = validator<ApiError>(compiled.apiError);
export const agentConfigSchema = validator<AgentConfig>(compiled.agentConfig);

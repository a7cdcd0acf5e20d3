// The types of generated/validators.cjs, which scripts/compile-validators.mjs writes at build.

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

interface CompiledValidator {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

export declare const report: CompiledValidator;
export declare const buildRecord: CompiledValidator;
export declare const reportAccepted: CompiledValidator;
export declare const enrollResponse: CompiledValidator;
export declare const apiError: CompiledValidator;
export declare const agentConfig: CompiledValidator;
export declare const SCHEMA_VERSION: number;

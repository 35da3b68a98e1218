/**
 * The contract as the engine sees it: plain, JSON-serialisable data derived once
 * from an OpenAPI 3.0 document (see load.ts). Schemas are already converted to
 * JSON Schema and reference each other through CONTRACT_SCHEMA_ID.
 */

/** Ajv id under which the converted `components.schemas` are registered. */
export const CONTRACT_SCHEMA_ID = 'urn:metal-otp-contract:components';

export type JsonSchema = Record<string, unknown> | boolean;

export interface MediaTypeSpec {
  /** The media range exactly as written in the contract (e.g. `application/json`). */
  mediaType: string;
  /** JSON Schema of the body, or null when the contract gives none. */
  schema: JsonSchema | null;
}

export interface HeaderSpec {
  name: string;
  required: boolean;
  schema: JsonSchema | null;
}

export interface ResponseSpec {
  /** `204`, `4XX` or `default`, as the contract keys it. */
  status: string;
  description: string;
  content: MediaTypeSpec[];
  headers: HeaderSpec[];
}

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema | null;
}

export interface SecuritySchemeSpec {
  name: string;
  type: string;
  /** For apiKey schemes: where the key goes and under which name. */
  in?: 'header' | 'query' | 'cookie';
  paramName?: string;
}

export interface OperationSpec {
  operationId: string;
  method: string;
  path: string;
  tags: string[];
  summary: string;
  parameters: ParameterSpec[];
  /** Alternative requirement sets; empty means the operation is public. */
  security: SecuritySchemeSpec[][];
  responses: ResponseSpec[];
}

export interface ContractPlan {
  file: string;
  sha256: string;
  openapi: string;
  title: string;
  version: string;
  servers: string[];
  /** Tags the operations were selected by; empty means all operations. */
  tags: string[];
  /** `components.schemas`, converted to JSON Schema. */
  schemas: Record<string, JsonSchema>;
  operations: OperationSpec[];
}

export function isSecured(op: OperationSpec): boolean {
  // OpenAPI 3.0 §4.7.10: an empty requirement object `{}` in the list makes security optional.
  return op.security.length > 0 && op.security.every((set) => set.length > 0);
}

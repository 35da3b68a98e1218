/**
 * The contract as the engine sees it: plain, JSON-serialisable data derived once
 * from an OpenAPI 3.0 document (see load.ts). Schemas are already converted to
 * JSON Schema and reference each other through RESPONSE_SCHEMA_ID / REQUEST_SCHEMA_ID.
 */

/** Ajv ids under which the converted `components.schemas` are registered (responses drop writeOnly, requests readOnly). */
export const RESPONSE_SCHEMA_ID = 'urn:contract-suite:response-schemas';
export const REQUEST_SCHEMA_ID = 'urn:contract-suite:request-schemas';

export type JsonSchema = Record<string, unknown> | boolean;

export interface MediaTypeSpec {
  /** The media range exactly as written in the contract (e.g. `application/json`). */
  mediaType: string;
  /** JSON Schema of the body, or null when the contract gives none. */
  schema: JsonSchema | null;
  /** The media type's `example`, or the first of `examples` (OpenAPI 3.0 §4.7.11). */
  example?: unknown;
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

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface ParameterSpec {
  name: string;
  in: ParameterLocation;
  required: boolean;
  schema: JsonSchema | null;
  /** OpenAPI 3.0 §4.7.12.4 serialisation; defaults already applied (path/header: simple, query/cookie: form). */
  style: string;
  explode: boolean;
  example?: unknown;
}

export interface RequestBodySpec {
  required: boolean;
  content: MediaTypeSpec[];
}

export interface SecuritySchemeSpec {
  name: string;
  type: string;
  /** apiKey: where the key goes and under which name. */
  in?: 'header' | 'query' | 'cookie';
  paramName?: string;
  /** http: the RFC 9110 §11 authentication scheme (`bearer`, `basic`). */
  scheme?: string;
}

export interface OperationSpec {
  /** The operationId, or `METHOD /path` when the contract gives none; unique in the plan. */
  operationId: string;
  method: string;
  path: string;
  tags: string[];
  summary: string;
  parameters: ParameterSpec[];
  requestBody: RequestBodySpec | null;
  /** Alternative requirement sets (OpenAPI 3.0 §4.7.10); empty means the operation is public. */
  security: SecuritySchemeSpec[][];
  responses: ResponseSpec[];
}

export interface ContractPlan {
  file: string;
  /** sha256 over the contract and every file it references. */
  sha256: string;
  openapi: string;
  title: string;
  version: string;
  servers: string[];
  /** `components.schemas` (and other referenced schemas), converted for response validation. */
  schemas: Record<string, JsonSchema>;
  /** The same, converted for request validation. */
  requestSchemas: Record<string, JsonSchema>;
  /** Every operation, in contract order. */
  operations: OperationSpec[];
}

/** OpenAPI 3.0 §4.7.10: an empty requirement object `{}` in the list makes security optional. */
export function isSecured(op: OperationSpec): boolean {
  return op.security.length > 0 && op.security.every((set) => set.length > 0);
}

/** RFC 9110 §9.2.1: only these methods are safe (read-only). */
export function isSafeMethod(method: string): boolean {
  return ['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method.toUpperCase());
}

export function findOperation(plan: Pick<ContractPlan, 'operations'>, key: string): OperationSpec | undefined {
  return plan.operations.find((o) => o.operationId === key);
}

/**
 * Ajv validators compiled once per worker: per operation x status x media type
 * for response bodies, per documented response header, per request media type
 * and per parameter. Component schemas are registered once per direction so Ajv
 * resolves circular references itself.
 */
import type { default as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type * as AjvFormats from 'ajv-formats';
import { unescapeToken } from './json-pointer';
import { REQUEST_SCHEMA_ID, RESPONSE_SCHEMA_ID, type ContractPlan, type JsonSchema } from './model';

type Ajv = AjvClass;

/** Ajv is loaded by the first compilation: Playwright's runner imports this module with the spec but compiles nothing. */
function ajvModules(): { Ajv: typeof AjvClass; addFormats: typeof AjvFormats.default } {
  return { Ajv: (require('ajv') as typeof import('ajv')).default, addFormats: (require('ajv-formats') as typeof AjvFormats).default };
}

/** OpenAPI 3.0 §4.4 data-type formats; numeric ranges are already enforced by the schema converter. */
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export interface CompiledValidators {
  /** Response body validator for (operationId, documented status key, documented media range). */
  body(operationId: string, status: string, mediaType: string): SchemaValidator | undefined;
  /** Response header validator for (operationId, documented status key, header name): takes the field value as received. */
  header(operationId: string, status: string, name: string): SchemaValidator | undefined;
  /** Request body validator for (operationId, documented media range). */
  requestBody(operationId: string, mediaType: string): SchemaValidator | undefined;
  /** Parameter validator for (operationId, location, name): takes the value as the recipe gives it (text is coerced). */
  parameter(operationId: string, location: string, name: string): SchemaValidator | undefined;
  readonly compiled: number;
  readonly warnings: string[];
}

function collectFormats(node: unknown, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectFormats(item, into);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') into.add(value);
      else collectFormats(value, into);
    }
  }
}

function createAjv(definitions: Record<string, JsonSchema>, schemaId: string, formats: Set<string>, warnings: string[], coerceTypes: false | 'array'): Ajv {
  const { Ajv, addFormats } = ajvModules();
  const ajv = new Ajv({
    coerceTypes,
    allErrors: true,
    // parentSchema on errors: which alternative of a oneOf/anyOf an error belongs to.
    verbose: true,
    strict: true,
    // Contracts routinely put `properties` without `type: object`; that is legal JSON Schema.
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    // Unknown keywords weaken a check but must not stop a run on someone else's contract.
    strictSchema: 'log',
    logger: { log: () => undefined, warn: (...args: unknown[]) => warnings.push(`schema: ${args.join(' ')}`), error: () => undefined },
    discriminator: false,
  });
  addFormats(ajv);
  for (const format of OPENAPI_FORMATS) ajv.addFormat(format, true);
  for (const format of formats) if (!ajv.formats[format]) ajv.addFormat(format, true);
  ajv.addSchema({ $id: schemaId, definitions });
  return ajv;
}

export function compileValidators(plan: ContractPlan, operationIds?: Set<string>): CompiledValidators {
  const warnings: string[] = [];
  const formats = new Set<string>();
  collectFormats(plan, formats);
  const { Ajv, addFormats } = ajvModules();
  const probe = new Ajv();
  addFormats(probe);
  for (const format of formats) {
    if (!probe.formats[format] && !OPENAPI_FORMATS.includes(format)) warnings.push(`format "${format}" is not a known format; values are not checked against it`);
  }
  const ops = plan.operations.filter((o) => !operationIds || operationIds.has(o.operationId));
  const lazy = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const responses = lazy(() => createAjv(plan.schemas, RESPONSE_SCHEMA_ID, formats, warnings, false));
  // Header and parameter values travel as text (OpenAPI 3.0 §4.7.12.4 style simple/form): their validators coerce.
  const responseText = lazy(() => createAjv(plan.schemas, RESPONSE_SCHEMA_ID, formats, [], 'array'));
  const requests = lazy(() => createAjv(plan.requestSchemas, REQUEST_SCHEMA_ID, formats, [], false));
  const requestText = lazy(() => createAjv(plan.requestSchemas, REQUEST_SCHEMA_ID, formats, [], 'array'));
  const table = new Map<string, SchemaValidator>();
  const compile = (ajv: Ajv, schema: JsonSchema, where: string): ValidateFunction => {
    try {
      return ajv.compile(schema);
    } catch (error) {
      throw new Error(`Contract ${plan.file}: schema of ${where} does not compile: ${(error as Error).message}`);
    }
  };
  for (const op of ops) {
    for (const response of op.responses) {
      for (const media of response.content) {
        if (media.schema === null) continue;
        table.set(key('body', op.operationId, response.status, media.mediaType), compile(responses(), media.schema, `${op.operationId} ${response.status} ${media.mediaType}`));
      }
      for (const header of response.headers) {
        if (header.schema === null) continue;
        const validate = compile(responseText(), header.schema, `${op.operationId} ${response.status} header ${header.name}`);
        table.set(key('header', op.operationId, response.status, header.name.toLowerCase()), listAware(validate, isList(header.schema, plan.schemas)));
      }
    }
    for (const media of op.requestBody?.content ?? []) {
      if (media.schema === null) continue;
      table.set(key('request', op.operationId, media.mediaType), compile(requests(), media.schema, `${op.operationId} request ${media.mediaType}`));
    }
    for (const p of op.parameters) {
      if (p.schema === null) continue;
      table.set(key('parameter', op.operationId, p.in, p.name), compile(requestText(), p.schema, `${op.operationId} parameter ${p.name}`));
    }
  }
  return {
    body: (operationId, status, mediaType) => table.get(key('body', operationId, status, mediaType)),
    // RFC 9110 §5.1: field names are case-insensitive.
    header: (operationId, status, name) => table.get(key('header', operationId, status, name.toLowerCase())),
    requestBody: (operationId, mediaType) => table.get(key('request', operationId, mediaType)),
    parameter: (operationId, location, name) => table.get(key('parameter', operationId, location, name)),
    compiled: table.size,
    warnings,
  };
}

/** Follows $refs into the registered definitions to learn whether the value is a list. */
export function isList(schema: JsonSchema, definitions: Record<string, JsonSchema>): boolean {
  let node: unknown = schema;
  for (let hops = 0; hops < 16 && node && typeof node === 'object'; hops++) {
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') break;
    const name = unescapeToken(decodeURIComponent(ref.slice(ref.indexOf('#/definitions/') + '#/definitions/'.length)));
    node = definitions[name];
  }
  const type = node && typeof node === 'object' ? (node as { type?: unknown }).type : undefined;
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}

/** OpenAPI 3.0 §4.7.21 style `simple`: a list header is comma-separated (RFC 9110 §5.6.1); scalars are coerced. */
function listAware(validate: ValidateFunction, list: boolean): SchemaValidator {
  const run = ((raw: unknown) => {
    const value = list && typeof raw === 'string' ? raw.split(',').map((v) => v.trim()) : raw;
    const ok = validate(value);
    run.errors = validate.errors ?? null;
    return ok;
  }) as SchemaValidator;
  return run;
}

function key(...parts: string[]): string {
  return parts.join('\u0000');
}


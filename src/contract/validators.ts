/**
 * Ajv validators compiled once per operation x status x media type (and per
 * documented header), keyed by operationId. Component schemas are registered
 * once under CONTRACT_SCHEMA_ID so Ajv resolves circular references itself.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { unescapeToken } from './json-pointer';
import { CONTRACT_SCHEMA_ID, type ContractPlan, type JsonSchema } from './model';

/** OpenAPI 3.0 §4.4 data-type formats; numeric ranges are already enforced by the schema converter. */
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export interface CompiledValidators {
  /** Body validator for (operationId, documented status key, documented media range). */
  body(operationId: string, status: string, mediaType: string): SchemaValidator | undefined;
  /** Header validator for (operationId, documented status key, header name): takes the field value as received. */
  header(operationId: string, status: string, name: string): SchemaValidator | undefined;
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

export function createAjv(plan: ContractPlan, warnings: string[], coerceTypes: false | 'array' = false): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    allErrors: true,
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
  const used = new Set<string>();
  collectFormats(plan, used);
  for (const format of used) {
    if (!ajv.formats[format]) {
      ajv.addFormat(format, true);
      warnings.push(`format "${format}" is not a known format; values are not checked against it`);
    }
  }
  ajv.addSchema({ $id: CONTRACT_SCHEMA_ID, definitions: plan.schemas });
  return ajv;
}

export function compileValidators(plan: ContractPlan): CompiledValidators {
  const warnings: string[] = [];
  const ajv = createAjv(plan, warnings);
  // Header values arrive as text (OpenAPI 3.0 §4.7.21 style `simple`): their validators coerce, through $refs too.
  const headerAjv = createAjv(plan, [], 'array');
  const bodies = new Map<string, ValidateFunction>();
  const headers = new Map<string, SchemaValidator>();
  const compile = (schema: JsonSchema, where: string, using = ajv): ValidateFunction => {
    try {
      return using.compile(schema);
    } catch (error) {
      throw new Error(`Contract ${plan.file}: schema of ${where} does not compile: ${(error as Error).message}`);
    }
  };
  for (const op of plan.operations) {
    for (const response of op.responses) {
      for (const media of response.content) {
        if (media.schema === null) continue;
        const where = `${op.operationId} ${response.status} ${media.mediaType}`;
        bodies.set(key(op.operationId, response.status, media.mediaType), compile(media.schema, where));
      }
      for (const header of response.headers) {
        if (header.schema === null) continue;
        const where = `${op.operationId} ${response.status} header ${header.name}`;
        headers.set(key(op.operationId, response.status, header.name.toLowerCase()), headerValidator(compile(header.schema, where, headerAjv), isList(header.schema, plan)));
      }
    }
  }
  return {
    body: (operationId, status, mediaType) => bodies.get(key(operationId, status, mediaType)),
    // RFC 9110 §5.1: field names are case-insensitive.
    header: (operationId, status, name) => headers.get(key(operationId, status, name.toLowerCase())),
    compiled: bodies.size + headers.size,
    warnings,
  };
}

/** Follows $refs into the registered definitions to learn whether the header is a list. */
function isList(schema: JsonSchema, plan: ContractPlan): boolean {
  let node: unknown = schema;
  for (let hops = 0; hops < 16 && node && typeof node === 'object'; hops++) {
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') break;
    const name = unescapeToken(decodeURIComponent(ref.slice(ref.indexOf('#/definitions/') + '#/definitions/'.length)));
    node = plan.schemas[name];
  }
  const type = node && typeof node === 'object' ? (node as { type?: unknown }).type : undefined;
  return type === 'array' || (Array.isArray(type) && type.includes('array'));
}

/** OpenAPI 3.0 §4.7.21 style `simple`: a list header is comma-separated (RFC 9110 §5.6.1); scalars are coerced. */
function headerValidator(validate: ValidateFunction, list: boolean): SchemaValidator {
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

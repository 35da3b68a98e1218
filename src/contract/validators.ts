/**
 * Ajv validators compiled once per worker: per operation x status x media type
 * for response bodies, per documented response header, per request media type
 * and per parameter. Component schemas are registered once per direction so Ajv
 * resolves circular references itself.
 */
import type { default as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type * as AjvFormats from 'ajv-formats';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

function createAjv(definitions: Record<string, JsonSchema>, schemaId: string, formats: Set<string>, warnings: string[], coerceTypes: false | 'array', source = false): Ajv {
  const { Ajv, addFormats } = ajvModules();
  const { _ } = require('ajv') as typeof import('ajv');
  const ajv = new Ajv({
    // Standalone code (a warm run reads it back instead of compiling) calls ajv-formats' own functions.
    ...(source ? { code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` } } : {}),
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

type Instance = 'responses' | 'responseText' | 'requests' | 'requestText';

/** One validator to compile: where it goes in the table, which Ajv instance compiles it, and its schema. */
interface Entry {
  key: string;
  instance: Instance;
  schema: JsonSchema;
  where: string;
  /** A list header: the comma-separated value is split before it is validated. */
  list?: boolean;
}

function entriesOf(plan: ContractPlan, operationIds?: Set<string>): Entry[] {
  const entries: Entry[] = [];
  for (const op of plan.operations.filter((o) => !operationIds || operationIds.has(o.operationId))) {
    for (const response of op.responses) {
      for (const media of response.content) {
        if (media.schema !== null) entries.push({ key: key('body', op.operationId, response.status, media.mediaType), instance: 'responses', schema: media.schema, where: `${op.operationId} ${response.status} ${media.mediaType}` });
      }
      for (const header of response.headers) {
        if (header.schema !== null) entries.push({ key: key('header', op.operationId, response.status, header.name.toLowerCase()), instance: 'responseText', schema: header.schema, where: `${op.operationId} ${response.status} header ${header.name}`, list: isList(header.schema, plan.schemas) });
      }
    }
    for (const media of op.requestBody?.content ?? []) {
      if (media.schema !== null) entries.push({ key: key('request', op.operationId, media.mediaType), instance: 'requests', schema: media.schema, where: `${op.operationId} request ${media.mediaType}` });
    }
    for (const p of op.parameters) {
      if (p.schema !== null) entries.push({ key: key('parameter', op.operationId, p.in, p.name), instance: 'requestText', schema: p.schema, where: `${op.operationId} parameter ${p.name}` });
    }
  }
  return entries;
}

function formatWarnings(formats: Set<string>): string[] {
  const { Ajv, addFormats } = ajvModules();
  const probe = new Ajv();
  addFormats(probe);
  return [...formats].filter((f) => !probe.formats[f] && !OPENAPI_FORMATS.includes(f)).map((f) => `format "${f}" is not a known format; values are not checked against it`);
}

interface Compiled {
  table: Map<string, SchemaValidator>;
  warnings: string[];
  /** With `source`: the standalone code of each Ajv instance used, and the export name of each entry. */
  code?: Partial<Record<Instance, string>>;
  exports?: Record<string, string>;
}

function compileEntries(plan: ContractPlan, entries: Entry[], source: boolean): Compiled {
  const formats = new Set<string>();
  collectFormats(plan, formats);
  const warnings = formatWarnings(formats);
  const lazy = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  // Header and parameter values travel as text (OpenAPI 3.0 §4.7.12.4 style simple/form): their validators coerce.
  const instances: Record<Instance, () => Ajv> = {
    responses: lazy(() => createAjv(plan.schemas, RESPONSE_SCHEMA_ID, formats, warnings, false, source)),
    responseText: lazy(() => createAjv(plan.schemas, RESPONSE_SCHEMA_ID, formats, [], 'array', source)),
    requests: lazy(() => createAjv(plan.requestSchemas, REQUEST_SCHEMA_ID, formats, [], false, source)),
    requestText: lazy(() => createAjv(plan.requestSchemas, REQUEST_SCHEMA_ID, formats, [], 'array', source)),
  };
  const table = new Map<string, SchemaValidator>();
  const exports: Record<string, string> = {};
  const used = new Map<Instance, Record<string, string>>();
  entries.forEach((entry, i) => {
    const ajv = instances[entry.instance]();
    const name = `v${i}`;
    let validate: ValidateFunction;
    try {
      ajv.addSchema(entry.schema as object, name);
      validate = ajv.getSchema(name)!;
    } catch (error) {
      throw new Error(`Contract ${plan.file}: schema of ${entry.where} does not compile: ${(error as Error).message}`);
    }
    table.set(entry.key, entry.list === undefined ? validate : listAware(validate, entry.list));
    exports[entry.key] = name;
    used.set(entry.instance, { ...used.get(entry.instance), [name]: name });
  });
  if (!source) return { table, warnings };
  const standalone = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const code: Partial<Record<Instance, string>> = {};
  for (const [instance, refs] of used) code[instance] = standalone(instances[instance](), refs);
  return { table, warnings, code, exports };
}

function tableOf(compiled: Pick<Compiled, 'table' | 'warnings'>): CompiledValidators {
  const { table, warnings } = compiled;
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

export function compileValidators(plan: ContractPlan, operationIds?: Set<string>): CompiledValidators {
  return tableOf(compileEntries(plan, entriesOf(plan, operationIds), false));
}

/** The conventional place for tool caches, beside the contract plan's; `npm ci` starts it afresh. */
const CACHE_DIR = resolve(__dirname, '../../node_modules/.cache/contract-suite');

function versionOf(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/**
 * The same validators, compiled once per contract and selection and kept as Ajv standalone code: a worker that finds
 * them reads them back instead of compiling (about a tenth of a second a run). The key covers the plan's content,
 * the entries, this module's source and the versions of Ajv and ajv-formats; anything else compiles afresh.
 */
export function cachedValidators(plan: ContractPlan, operationIds?: Set<string>): CompiledValidators {
  const entries = entriesOf(plan, operationIds);
  const hash = createHash('sha256')
    .update(JSON.stringify([plan.sha256, plan.file, entries.map((e) => [e.key, e.instance, e.list ?? null]), versionOf('ajv'), versionOf('ajv-formats')]))
    .update(readFileSync(__filename))
    .digest('hex')
    .slice(0, 32);
  const index = join(CACHE_DIR, `validators-${hash}.json`);
  if (existsSync(index)) {
    try {
      const { exports, warnings, instances } = JSON.parse(readFileSync(index, 'utf8')) as { exports: Record<string, string>; warnings: string[]; instances: Instance[] };
      const modules = Object.fromEntries(instances.map((i) => [i, require(join(CACHE_DIR, `validators-${hash}-${i}.cjs`)) as Record<string, ValidateFunction>]));
      const table = new Map<string, SchemaValidator>();
      for (const e of entries) {
        const validate = modules[e.instance]?.[exports[e.key]!];
        if (!validate) throw new Error('incomplete');
        table.set(e.key, e.list === undefined ? validate : listAware(validate, e.list));
      }
      return tableOf({ table, warnings });
    } catch {
      // A damaged entry compiles afresh.
    }
  }
  const compiled = compileEntries(plan, entries, true);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    for (const [instance, code] of Object.entries(compiled.code ?? {})) writeFileSync(join(CACHE_DIR, `validators-${hash}-${instance}.cjs`), code);
    // The index last: it says the modules beside it are whole.
    writeFileSync(index, JSON.stringify({ exports: compiled.exports, warnings: compiled.warnings, instances: Object.keys(compiled.code ?? {}) }));
  } catch {
    // A read-only checkout still runs; it compiles every time.
  }
  return tableOf(compiled);
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


/**
 * Loads an OpenAPI 3.0 contract once: parse + bundle + validate with
 * swagger-parser, convert every operation's schemas. The result is a
 * ContractPlan (plain JSON) that workers compile into validators.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { ContractError } from './errors';
import { resolvePointer, unescapeToken } from './json-pointer';
import type {
  ContractPlan,
  HeaderSpec,
  JsonSchema,
  MediaTypeSpec,
  OperationSpec,
  ParameterLocation,
  ParameterSpec,
  RequestBodySpec,
  ResponseSpec,
  SecuritySchemeSpec,
} from './model';
import { REQUEST_SCHEMA_ID, RESPONSE_SCHEMA_ID } from './model';
import { componentRef, definitionRef, toJsonSchema, type Direction } from './schema-convert';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Ref<T> = T | OpenAPIV3.ReferenceObject;

function isRef(value: unknown): value is OpenAPIV3.ReferenceObject {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}

/** Schemas reachable in one direction: internal reference -> definitions key. */
class Definitions {
  readonly reachable = new Map<string, string>();
  constructor(
    readonly direction: Direction,
    readonly schemaId: string,
  ) {}
}

class PlanBuilder {
  private readonly response = new Definitions('response', RESPONSE_SCHEMA_ID);
  private readonly request = new Definitions('request', REQUEST_SCHEMA_ID);

  constructor(
    private readonly file: string,
    private readonly doc: OpenAPIV3.Document,
  ) {}

  deref<T extends object>(value: Ref<T>, where: string): T {
    let current: unknown = value;
    const seen = new Set<string>();
    while (isRef(current)) {
      const ref = current.$ref;
      if (seen.has(ref)) throw new ContractError(this.file, `${where}: reference cycle through ${ref}`);
      seen.add(ref);
      if (!ref.startsWith('#/')) throw new ContractError(this.file, `${where}: unbundled reference ${ref}`);
      try {
        current = resolvePointer(this.doc, ref);
      } catch (error) {
        throw new ContractError(this.file, `${where}: ${(error as Error).message}`);
      }
    }
    return current as T;
  }

  schema(schema: unknown, where: string, defs: Definitions): JsonSchema {
    return toJsonSchema(schema, defs.direction, (ref) => this.rewriteRef(ref, where, defs));
  }

  /**
   * Every schema reference becomes a reference into the registered definitions:
   * components by name; anything else (bundling a multi-file contract points
   * second uses of an external schema at its first location) under `ref:<pointer>`.
   */
  private rewriteRef(ref: string, where: string, defs: Definitions): string {
    if (!ref.startsWith('#/')) throw new ContractError(this.file, `${where}: unbundled schema reference ${ref}`);
    let key = defs.reachable.get(ref);
    if (key === undefined) {
      const name = componentRef(ref);
      key = name !== null ? unescapeToken(decodeURIComponent(name)) : `ref:${ref.slice(2)}`;
      defs.reachable.set(ref, key);
      // Walk the target now so its own references become reachable too.
      this.schema(this.deref({ $ref: ref }, where), ref, defs);
    }
    return definitionRef(defs.schemaId, key);
  }

  definitions(direction: Direction): Record<string, JsonSchema> {
    const defs = direction === 'response' ? this.response : this.request;
    const out: Record<string, JsonSchema> = {};
    for (const [ref, key] of [...defs.reachable.entries()].sort((a, b) => a[1].localeCompare(b[1]))) {
      out[key] = this.schema(this.deref({ $ref: ref }, 'definitions'), ref, defs);
    }
    return out;
  }

  parameters(pathItem: OpenAPIV3.PathItemObject, op: OpenAPIV3.OperationObject, where: string): ParameterSpec[] {
    const byKey = new Map<string, ParameterSpec>();
    // OpenAPI 3.0 §4.7.9: operation-level parameters override path-level ones with the same name + location.
    for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
      const p = this.deref<OpenAPIV3.ParameterObject>(raw, where);
      const location = p.in as ParameterLocation;
      // OpenAPI 3.0 §4.7.12.4: default style simple for path and header, form for query and cookie;
      // explode defaults to true only for form.
      const style = p.style ?? (location === 'query' || location === 'cookie' ? 'form' : 'simple');
      const spec: ParameterSpec = {
        name: p.name,
        in: location,
        required: location === 'path' ? true : Boolean(p.required),
        schema: p.schema ? this.schema(p.schema, `${where} parameter ${p.name}`, this.request) : null,
        style,
        explode: p.explode ?? style === 'form',
      };
      const example = firstExample(p, p.schema ? this.deref(p.schema, where) : undefined);
      if (example !== undefined) spec.example = example;
      byKey.set(`${p.in}:${p.name}`, spec);
    }
    return [...byKey.values()];
  }

  requestBody(op: OpenAPIV3.OperationObject, where: string): RequestBodySpec | null {
    if (!op.requestBody) return null;
    const body = this.deref<OpenAPIV3.RequestBodyObject>(op.requestBody, `${where} requestBody`);
    return { required: Boolean(body.required), content: this.content(body.content, `${where} requestBody`, this.request) };
  }

  private content(content: Record<string, OpenAPIV3.MediaTypeObject> | undefined, where: string, defs: Definitions): MediaTypeSpec[] {
    return Object.entries(content ?? {}).map(([mediaType, media]) => {
      const spec: MediaTypeSpec = { mediaType, schema: media.schema ? this.schema(media.schema, `${where} ${mediaType}`, defs) : null };
      const example = firstExample(media, media.schema ? this.deref(media.schema, where) : undefined);
      if (example !== undefined) spec.example = example;
      return spec;
    });
  }

  security(op: OpenAPIV3.OperationObject, where: string): SecuritySchemeSpec[][] {
    const requirements = op.security ?? this.doc.security ?? [];
    const schemes = this.doc.components?.securitySchemes ?? {};
    return requirements.map((requirement) =>
      Object.keys(requirement).map((name) => {
        const raw = schemes[name];
        if (!raw) throw new ContractError(this.file, `${where}: security scheme "${name}" is not defined`);
        const scheme = this.deref<OpenAPIV3.SecuritySchemeObject>(raw, where);
        if (scheme.type === 'apiKey') return { name, type: scheme.type, in: scheme.in as 'header' | 'query' | 'cookie', paramName: scheme.name };
        if (scheme.type === 'http') return { name, type: scheme.type, scheme: scheme.scheme.toLowerCase() };
        return { name, type: scheme.type };
      }),
    );
  }

  responses(op: OpenAPIV3.OperationObject, where: string): ResponseSpec[] {
    return Object.entries(op.responses ?? {}).map(([status, raw]) => {
      const at = `${where} response ${status}`;
      const response = this.deref<OpenAPIV3.ResponseObject>(raw, at);
      const headers: HeaderSpec[] = Object.entries(response.headers ?? {}).map(([name, rawHeader]) => {
        const header = this.deref<OpenAPIV3.HeaderObject>(rawHeader, `${at} header ${name}`);
        return { name, required: Boolean(header.required), schema: header.schema ? this.schema(header.schema, `${at} header ${name}`, this.response) : null };
      });
      // OpenAPI 3.0 §4.7.16: ranges are written `4XX`; `default` stays as is.
      const key = /^[1-5]xx$/i.test(status) ? status.toUpperCase() : status.toLowerCase();
      return { status: key, description: response.description ?? '', content: this.content(response.content, at, this.response), headers };
    });
  }
}

/** OpenAPI 3.0 §4.7.11/§4.7.12: `example`, else the first of `examples`, else the schema's `example`. */
function firstExample(holder: { example?: unknown; examples?: Record<string, unknown> }, schema: unknown): unknown {
  if (holder.example !== undefined) return holder.example;
  const first = Object.values(holder.examples ?? {})[0] as { value?: unknown } | undefined;
  if (first && !isRef(first) && first.value !== undefined) return first.value;
  const fromSchema = (schema as { example?: unknown } | undefined)?.example;
  return fromSchema;
}

function operations(builder: PlanBuilder, doc: OpenAPIV3.Document): OperationSpec[] {
  const out: OperationSpec[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    if (!rawItem) continue;
    const pathItem = builder.deref<OpenAPIV3.PathItemObject>(rawItem, `paths.${path}`);
    for (const method of HTTP_METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      out.push({
        operationId: op.operationId ?? where,
        method: method.toUpperCase(),
        path,
        tags: op.tags ?? [],
        summary: op.summary ?? '',
        parameters: builder.parameters(pathItem, op, where),
        requestBody: builder.requestBody(op, where),
        security: builder.security(op, where),
        responses: builder.responses(op, where),
      });
    }
  }
  return out;
}

/** The contract's bytes, or a ContractError naming why they cannot be read. */
export function readContract(file: string): Buffer {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ContractError(file, code === 'ENOENT' ? 'file not found' : `cannot be read (${(error as Error).message})`);
  }
}

export interface LoadedContract {
  plan: ContractPlan;
  /** Every file the contract is made of (the root first), for cache validation. */
  files: string[];
}

export async function parseContract(path: string): Promise<LoadedContract> {
  const file = resolve(path);
  readContract(file);
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  const parser = new SwaggerParser();
  let bundled: OpenAPIV3.Document;
  try {
    bundled = (await parser.bundle(file)) as OpenAPIV3.Document;
    // validate() dereferences in place; give it its own copy so the bundled form keeps its $refs.
    await SwaggerParser.validate(structuredClone(bundled));
  } catch (error) {
    throw new ContractError(file, (error as Error).message.split('\n').slice(0, 6).join('\n'));
  }
  const version = String((bundled as { openapi?: unknown }).openapi ?? (bundled as { swagger?: unknown }).swagger);
  // This engine converts OpenAPI 3.0 Schema Objects; 3.1 schemas are already JSON Schema 2020-12.
  if (!/^3\.0\.\d+$/.test(version)) {
    throw new ContractError(file, `OpenAPI ${version} is not supported; this suite reads OpenAPI 3.0.x`);
  }
  const files = [file, ...parser.$refs.paths('file').map((p) => resolve(p)).filter((p) => p !== file)];
  const builder = new PlanBuilder(file, bundled);
  const ops = operations(builder, bundled);
  if (ops.length === 0) throw new ContractError(file, 'documents no operations');
  const duplicate = ops.map((o) => o.operationId).find((id, i, all) => all.indexOf(id) !== i);
  if (duplicate) throw new ContractError(file, `operationId ${duplicate} is used twice`);
  return {
    files,
    plan: {
      file,
      sha256: contentHash(files),
      openapi: version,
      title: bundled.info.title,
      version: bundled.info.version,
      servers: (bundled.servers ?? []).map((s) => s.url),
      schemas: builder.definitions('response'),
      requestSchemas: builder.definitions('request'),
      operations: ops,
    },
  };
}

/** sha256 over the bytes of every file, in order. */
export function contentHash(files: string[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(f));
  return hash.digest('hex');
}

/** Operations carrying at least one of the tags; every operation when `tags` is empty. */
export function selectByTags(plan: ContractPlan, tags: string[]): Set<string> {
  const chosen = plan.operations.filter((o) => tags.length === 0 || o.tags.some((t) => tags.includes(t)));
  return new Set(chosen.map((o) => o.operationId));
}

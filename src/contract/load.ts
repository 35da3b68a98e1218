/**
 * Loads an OpenAPI 3.0 contract once: parse + bundle + validate with
 * swagger-parser, select operations by tag, convert their schemas. The result
 * is a ContractPlan (plain JSON) that workers compile into validators.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { ContractError } from './errors';
import { resolvePointer, unescapeToken } from './json-pointer';
import type {
  ContractPlan,
  HeaderSpec,
  JsonSchema,
  MediaTypeSpec,
  OperationSpec,
  ParameterSpec,
  ResponseSpec,
  SecuritySchemeSpec,
} from './model';
import { componentRef, definitionRef, toJsonSchema } from './schema-convert';

export interface LoadOptions {
  /** Keep operations carrying at least one of these tags; empty keeps all. */
  tags?: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Ref<T> = T | OpenAPIV3.ReferenceObject;

function isRef(value: unknown): value is OpenAPIV3.ReferenceObject {
  return typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string';
}

class PlanBuilder {
  /** Schemas reachable from the selected operations: internal reference -> definitions key. */
  private readonly reachable = new Map<string, string>();

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

  schema(schema: unknown, where: string): JsonSchema {
    return toJsonSchema(schema, (ref) => this.rewriteRef(ref, where));
  }

  /**
   * Every schema reference becomes a reference into the registered definitions:
   * components by name; anything else (bundling a multi-file contract points
   * second uses of an external schema at its first location) under `ref:<pointer>`.
   */
  private rewriteRef(ref: string, where: string): string {
    if (!ref.startsWith('#/')) throw new ContractError(this.file, `${where}: unbundled schema reference ${ref}`);
    let key = this.reachable.get(ref);
    if (key === undefined) {
      const name = componentRef(ref);
      key = name !== null ? unescapeToken(decodeURIComponent(name)) : `ref:${ref.slice(2)}`;
      this.reachable.set(ref, key);
      // Walk the target now so its own references become reachable too.
      this.schema(this.deref({ $ref: ref }, where), ref);
    }
    return definitionRef(key);
  }

  definitions(): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    for (const [ref, key] of [...this.reachable.entries()].sort((a, b) => a[1].localeCompare(b[1]))) {
      out[key] = this.schema(this.deref({ $ref: ref }, 'definitions'), ref);
    }
    return out;
  }

  parameters(pathItem: OpenAPIV3.PathItemObject, op: OpenAPIV3.OperationObject, where: string): ParameterSpec[] {
    const byKey = new Map<string, ParameterSpec>();
    // OpenAPI 3.0 §4.7.9: operation-level parameters override path-level ones with the same name + location.
    for (const raw of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
      const p = this.deref<OpenAPIV3.ParameterObject>(raw, where);
      const spec: ParameterSpec = {
        name: p.name,
        in: p.in as ParameterSpec['in'],
        required: p.in === 'path' ? true : Boolean(p.required),
        schema: p.schema ? this.schema(p.schema, `${where} parameter ${p.name}`) : null,
      };
      byKey.set(`${p.in}:${p.name}`, spec);
    }
    return [...byKey.values()];
  }

  security(op: OpenAPIV3.OperationObject, where: string): SecuritySchemeSpec[][] {
    const requirements = op.security ?? this.doc.security ?? [];
    const schemes = this.doc.components?.securitySchemes ?? {};
    return requirements.map((requirement) =>
      Object.keys(requirement).map((name) => {
        const raw = schemes[name];
        if (!raw) throw new ContractError(this.file, `${where}: security scheme "${name}" is not defined`);
        const scheme = this.deref<OpenAPIV3.SecuritySchemeObject>(raw, where);
        return scheme.type === 'apiKey'
          ? { name, type: scheme.type, in: scheme.in as 'header' | 'query' | 'cookie', paramName: scheme.name }
          : { name, type: scheme.type };
      }),
    );
  }

  responses(op: OpenAPIV3.OperationObject, where: string): ResponseSpec[] {
    return Object.entries(op.responses ?? {}).map(([status, raw]) => {
      const at = `${where} response ${status}`;
      const response = this.deref<OpenAPIV3.ResponseObject>(raw, at);
      const content: MediaTypeSpec[] = Object.entries(response.content ?? {}).map(([mediaType, media]) => ({
        mediaType,
        schema: media.schema ? this.schema(media.schema, `${at} ${mediaType}`) : null,
      }));
      const headers: HeaderSpec[] = Object.entries(response.headers ?? {}).map(([name, rawHeader]) => {
        const header = this.deref<OpenAPIV3.HeaderObject>(rawHeader, `${at} header ${name}`);
        return {
          name,
          required: Boolean(header.required),
          schema: header.schema ? this.schema(header.schema, `${at} header ${name}`) : null,
        };
      });
      // OpenAPI 3.0 §4.7.16: ranges are written `4XX`; `default` stays as is.
      const key = /^[1-5]xx$/i.test(status) ? status.toUpperCase() : status.toLowerCase();
      return { status: key, description: response.description ?? '', content, headers };
    });
  }
}

function selectOperations(builder: PlanBuilder, doc: OpenAPIV3.Document, tags: string[]): OperationSpec[] {
  const operations: OperationSpec[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    if (!rawItem) continue;
    const pathItem = builder.deref<OpenAPIV3.PathItemObject>(rawItem, `paths.${path}`);
    for (const method of HTTP_METHODS) {
      const op = pathItem[method];
      if (!op) continue;
      const opTags = op.tags ?? [];
      if (tags.length > 0 && !opTags.some((t) => tags.includes(t))) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const operationId = op.operationId ?? `${method.toUpperCase()} ${path}`;
      operations.push({
        operationId,
        method: method.toUpperCase(),
        path,
        tags: opTags,
        summary: op.summary ?? '',
        parameters: builder.parameters(pathItem, op, where),
        security: builder.security(op, where),
        responses: builder.responses(op, where),
      });
    }
  }
  return operations;
}

function readContract(file: string): Buffer {
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ContractError(file, code === 'ENOENT' ? 'file not found' : `cannot be read (${(error as Error).message})`);
  }
}

export async function loadContract(path: string, options: LoadOptions = {}): Promise<ContractPlan> {
  const file = resolve(path);
  const bytes = readContract(file);
  const tags = options.tags ?? [];
  let bundled: OpenAPIV3.Document;
  try {
    bundled = (await new SwaggerParser().bundle(file)) as OpenAPIV3.Document;
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
  const builder = new PlanBuilder(file, bundled);
  const operations = selectOperations(builder, bundled, tags);
  if (operations.length === 0) {
    const what = tags.length ? `tagged ${tags.join(' or ')}` : 'at all';
    throw new ContractError(file, `no operations ${what}`);
  }
  const duplicate = operations.map((o) => o.operationId).find((id, i, all) => all.indexOf(id) !== i);
  if (duplicate) throw new ContractError(file, `operationId ${duplicate} is used twice`);
  return {
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    openapi: version,
    title: bundled.info.title,
    version: bundled.info.version,
    servers: (bundled.servers ?? []).map((s) => s.url),
    tags,
    schemas: builder.definitions(),
    operations,
  };
}

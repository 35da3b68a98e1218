/**
 * OpenAPI 3.0 Schema Object -> JSON Schema for Ajv, per schema, without ever
 * dereferencing: `$ref`s stay references (rewritten to a registered id), so
 * circular contracts compile in Ajv instead of exploding in memory.
 */
import type * as Converter from '@openapi-contrib/openapi-schema-to-json-schema';
import { escapeToken } from './json-pointer';
import type { JsonSchema } from './model';

const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';

// Loaded on the first conversion: a run whose contract plan is cached converts nothing.
let converter: typeof Converter | undefined;

export type Direction = 'response' | 'request';

export function componentRef(ref: string): string | null {
  return ref.startsWith(COMPONENT_SCHEMA_PREFIX) ? ref.slice(COMPONENT_SCHEMA_PREFIX.length) : null;
}

/** The Ajv reference of a definitions key (RFC 6901 escaped, RFC 3986 §3.5 percent-encoded). */
export function definitionRef(schemaId: string, key: string): string {
  return `${schemaId}#/definitions/${encodeURIComponent(escapeToken(key))}`;
}

/** Drops `x-*` extensions (OpenAPI 3.0 §4.9) and `$ref` siblings (§4.7.24: they SHALL be ignored). */
function stripOpenApiOnly(node: unknown, onRef: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => stripOpenApiOnly(item, onRef));
  if (node === null || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  if (typeof record.$ref === 'string') return { $ref: onRef(record.$ref) };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith('x-')) continue;
    // `properties` is a map of names: a property may legitimately be called `x-foo`.
    if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, sub]) => [name, stripOpenApiOnly(sub, onRef)]),
      );
      continue;
    }
    out[key] = stripOpenApiOnly(value, onRef);
  }
  return out;
}

/**
 * Converts one schema. `onRef` maps every `$ref` it meets (and may record it),
 * which is how the loader learns which component schemas are reachable.
 */
export function toJsonSchema(schema: unknown, direction: Direction, onRef: (ref: string) => string): JsonSchema {
  if (typeof schema === 'boolean') return schema;
  const stripped = stripOpenApiOnly(schema, onRef);
  // `nullable` -> type [T, "null"] (OpenAPI 3.0 §4.7.24.1), int32/int64/float/double -> numeric bounds.
  // OpenAPI 3.0 §4.7.24: writeOnly properties SHOULD NOT be sent in responses, readOnly ones not in requests,
  // so neither can be required there.
  converter ??= require('@openapi-contrib/openapi-schema-to-json-schema') as typeof Converter;
  const converted = converter.openapiSchemaToJsonSchema(stripped as object, {
    cloneSchema: false,
    removeWriteOnly: direction === 'response',
    removeReadOnly: direction === 'request',
  }) as Record<string, unknown>;
  // The converter stamps draft-04; Ajv 8 validates with draft-07 semantics, which this subset shares.
  delete converted.$schema;
  return converted;
}

/**
 * Reading converted JSON Schemas for generating values: following `$ref`s into the registered
 * definitions, and the bounds a number or string must keep. Shared by recipe values and generated inputs.
 */
import { unescapeToken } from './json-pointer';
import type { JsonSchema } from './model';

export type SchemaNode = Record<string, unknown>;

const DEFINITIONS = '#/definitions/';

/** The schema a `$ref` chain ends at (at most 16 hops: cycles end as `{}`), as an object; `true`/absent as `{}`. */
export function deref(schema: JsonSchema | null | undefined, definitions: Record<string, JsonSchema>): SchemaNode {
  let node: unknown = schema ?? {};
  for (let hops = 0; hops < 16; hops++) {
    if (node === null || typeof node !== 'object') return node === false ? { not: {} } : {};
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref !== 'string') return node as SchemaNode;
    const at = ref.indexOf(DEFINITIONS);
    node = at < 0 ? {} : definitions[unescapeToken(decodeURIComponent(ref.slice(at + DEFINITIONS.length)))];
  }
  return {};
}

/** The JSON types a schema allows (`nullable` is already `type: [T, "null"]`); empty when it says none. */
export function typesOf(schema: SchemaNode): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  if (schema.properties !== undefined) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return [];
}

/** The first type that is not null: the one generated values take. */
export function mainType(schema: SchemaNode): string | undefined {
  return typesOf(schema).find((t) => t !== 'null');
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** The inclusive bounds a number must keep: OpenAPI 3.0 (boolean exclusive*, §4.7.24) or JSON Schema (numeric exclusive*). */
export function numericBounds(schema: SchemaNode, step: number): { lo: number; hi: number } {
  let lo = num(schema.minimum) ?? -Infinity;
  let hi = num(schema.maximum) ?? Infinity;
  if (schema.exclusiveMinimum === true) lo += step;
  if (schema.exclusiveMaximum === true) hi -= step;
  if (num(schema.exclusiveMinimum) !== undefined) lo = Math.max(lo, num(schema.exclusiveMinimum)! + step);
  if (num(schema.exclusiveMaximum) !== undefined) hi = Math.min(hi, num(schema.exclusiveMaximum)! - step);
  return { lo, hi };
}

/** minLength/maxLength (JSON Schema §6.3: they count characters, i.e. code points). */
export function lengthBounds(schema: SchemaNode): { min: number; max: number } {
  return { min: num(schema.minLength) ?? 0, max: num(schema.maxLength) ?? Infinity };
}

/** A positive multipleOf, or undefined. */
export function multipleOf(schema: SchemaNode): number | undefined {
  const m = num(schema.multipleOf);
  return m !== undefined && m > 0 ? m : undefined;
}

/** The properties of an object schema, with allOf branches merged (first definition of a name wins). */
export function objectShape(schema: SchemaNode, definitions: Record<string, JsonSchema>): { properties: Record<string, JsonSchema>; required: string[]; closed: boolean } {
  const properties: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  let closed = false;
  const visit = (node: SchemaNode, depth: number) => {
    if (depth > 8) return;
    for (const [name, sub] of Object.entries((node.properties as Record<string, JsonSchema> | undefined) ?? {})) properties[name] ??= sub;
    for (const name of (node.required as string[] | undefined) ?? []) required.add(name);
    if (node.additionalProperties === false) closed = true;
    for (const branch of (node.allOf as JsonSchema[] | undefined) ?? []) visit(deref(branch, definitions), depth + 1);
  };
  visit(schema, 0);
  return { properties, required: [...required], closed };
}

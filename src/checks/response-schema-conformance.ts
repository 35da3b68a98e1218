import type { ErrorObject } from 'ajv';
import { escapeToken } from '../contract/json-pointer';
import { documentedResponse } from '../contract/responses';
import { bestMediaRange, bodilessBecause, failure, headerValues, isJsonMediaType, parseMediaType, shapeOf, valueAt } from './http';
import type { Check, CheckContext, Failure, SchemaFinding } from './types';

const COMPOSITES = new Set(['oneOf', 'anyOf']);

/** Where an Ajv error points: the instance, or the property a `required`/`additionalProperties` error names. */
function pointerOf(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; propertyName?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  return extra === undefined ? error.instancePath : `${error.instancePath}/${escapeToken(extra)}`;
}

/**
 * Ajv's flat error list as findings: a failed oneOf/anyOf becomes one finding
 * carrying each alternative's own findings, instead of the first branch's error
 * passing for the whole story.
 */
export function schemaFindings(errors: ErrorObject[], data: unknown, ctx: Pick<CheckContext, 'isSecret'>): SchemaFinding[] {
  const consumed = new Set<ErrorObject>();
  const finding = (e: ErrorObject): SchemaFinding => {
    const pointer = pointerOf(e);
    const value = e.keyword === 'required' ? undefined : valueAt(data, pointer);
    return { pointer, keyword: e.keyword, params: e.params as Record<string, unknown>, message: e.message ?? e.keyword, value: shapeOf(value, ctx.isSecret(pointer)) };
  };
  // Outermost composites first: an inner one belongs to a branch of the outer.
  const composites = errors.filter((e) => COMPOSITES.has(e.keyword)).sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  const alternatives = new Map<ErrorObject, SchemaFinding[][]>();
  for (const c of composites) {
    if (consumed.has(c)) continue;
    const groups: SchemaFinding[][] = [];
    for (const e of errors) {
      if (e === c || consumed.has(e) || !e.schemaPath.startsWith(`${c.schemaPath}/`)) continue;
      const index = Number(e.schemaPath.slice(c.schemaPath.length + 1).split('/')[0]);
      (groups[index] ??= []).push(finding(e));
      consumed.add(e);
    }
    alternatives.set(c, groups.map((g) => g ?? []));
  }
  return errors
    .filter((e) => !consumed.has(e))
    .map((e) => {
      const alts = alternatives.get(e);
      return alts ? { ...finding(e), alternatives: alts } : finding(e);
    });
}

/** The body parses as the documented media type and validates against its schema. */
export const response_schema_conformance: Check = (ctx, exchange) => {
  const { response, request } = exchange;
  if (!response || bodilessBecause(request.method, response.status)) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  // OpenAPI 3.0 §4.7.17: without `content` the payload is undocumented: nothing to validate.
  if (!documented || documented.content.length === 0) return null;
  const [contentType] = headerValues(response, 'content-type');
  const ranges = documented.content.map((c) => c.mediaType);
  const media = contentType ? parseMediaType(contentType) : null;
  // No Content-Type on an empty body: judge it against the one documented JSON media type, if there is one.
  const range = media ? bestMediaRange(ranges, media) : response.body.length === 0 && ranges.length === 1 ? ranges[0]! : null;
  // A mismatched media type is content_type_conformance's to report.
  if (!range) return null;
  const validate = ctx.validators.body(ctx.operation.operationId, documented.status, range);
  if (!validate) return null;
  const isJson = isJsonMediaType(media ?? parseMediaType(range)!);
  const fail = (f: Omit<Failure, 'check' | 'kind' | 'operationId' | 'received'>): Failure => ({ ...failure('response_schema_conformance', 'contract', ctx.operation, exchange, f.location, f.expected, f.actual), ...(f.more ? { more: f.more } : {}) });
  let data: unknown = response.body.toString('utf8');
  if (isJson) {
    const root = { part: 'body' as const, pointer: '' };
    if (response.body.length === 0) return fail({ location: root, expected: { kind: 'json' }, actual: { kind: 'unparsable', reason: 'empty body', value: { type: 'absent' } } });
    try {
      data = JSON.parse(data as string);
    } catch (error) {
      return fail({ location: root, expected: { kind: 'json' }, actual: { kind: 'unparsable', reason: (error as Error).message, value: shapeOf(data, ctx.isSecret('')) } });
    }
  }
  if (validate(data)) return null;
  const [first, ...rest] = schemaFindings(validate.errors ?? [], data, ctx);
  if (!first) return null;
  const entry = (f: SchemaFinding) => ({ location: { part: 'body' as const, pointer: f.pointer }, expected: { kind: 'schema' as const, finding: f }, actual: { kind: 'value' as const, value: f.value } });
  return fail({ ...entry(first), ...(rest.length ? { more: rest.map(entry) } : {}) });
};

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
 * passing for the whole story. Ajv reports a composite after its branches' errors;
 * a branch's errors sit under `<composite>/<i>/` or under the schema its `$ref` names.
 */
export function schemaFindings(errors: ErrorObject[], data: unknown, ctx: Pick<CheckContext, 'isSecret'>): SchemaFinding[] {
  const consumed = new Set<ErrorObject>();
  const alternatives = new Map<ErrorObject, ErrorObject[][]>();
  errors.forEach((c, at) => {
    if (!COMPOSITES.has(c.keyword)) return;
    const branches = ((c.parentSchema as Record<string, unknown> | undefined)?.[c.keyword] as Array<{ $ref?: unknown }> | undefined) ?? [];
    const prefixes = branches.map((b, i) => [`${c.schemaPath}/${i}/`, typeof b.$ref === 'string' ? `${b.$ref}/` : null] as const);
    const groups: ErrorObject[][] = branches.map(() => []);
    let current = 0;
    for (const e of errors.slice(0, at)) {
      if (consumed.has(e) || !(e.instancePath === c.instancePath || e.instancePath.startsWith(`${c.instancePath}/`))) continue;
      const branch = prefixes.findIndex(([own, ref]) => e.schemaPath.startsWith(own) || (ref !== null && e.schemaPath.startsWith(ref)));
      if (branch > current) current = branch;
      (groups[current] ??= []).push(e);
      consumed.add(e);
    }
    alternatives.set(c, groups);
  });
  const finding = (e: ErrorObject): SchemaFinding => {
    const pointer = pointerOf(e);
    const value = e.keyword === 'required' ? undefined : valueAt(data, pointer);
    const alts = alternatives.get(e);
    return {
      pointer,
      keyword: e.keyword,
      params: e.params as Record<string, unknown>,
      message: e.message ?? e.keyword,
      value: shapeOf(value, ctx.isSecret(pointer)),
      ...(alts ? { alternatives: alts.map((g) => g.map(finding)) } : {}),
    };
  };
  return errors.filter((e) => !consumed.has(e)).map(finding);
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

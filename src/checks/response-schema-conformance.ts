import type { ErrorObject } from 'ajv';
import { escapeToken } from '../contract/json-pointer';
import { documentedResponse } from '../contract/responses';
import { bestMediaRange, bodilessBecause, failure, headerValues, isJsonMediaType, parseMediaType, shapeOf, valueAt } from './http';
import type { SchemaValidator } from '../contract/validators';
import type { Check, CheckContext, Exchange, Failure, SchemaFinding } from './types';

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

/** `at line 1, column 38`, from the parser's position, or `unexpected end` when the text stops short. */
export function whereJsonBreaks(text: string, parserMessage: string): string {
  const position = /position (\d+)/.exec(parserMessage)?.[1];
  if (position === undefined) {
    if (/end of (JSON )?input/i.test(parserMessage)) return 'it ends before the JSON does';
    // A punctuation mark is safe to name; a letter may belong to a secret.
    const token = /Unexpected token '([^A-Za-z0-9])'/.exec(parserMessage)?.[1];
    return token ? `an unexpected '${token}'` : 'it is not valid JSON';
  }
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  return `invalid at line ${line}, column ${Number(position) - before.lastIndexOf('\n')}`;
}

export interface SchemaTarget {
  status: string;
  range: string;
  validate: SchemaValidator;
  json: boolean;
}

/**
 * The documented media range, and its validator, a response is judged against; null when there is none:
 * a bodiless response, no documented content, or a media type outside the documented ranges (which
 * content_type_conformance reports). An empty body is judged against the documented JSON range, if any.
 */
export function schemaTarget(ctx: Pick<CheckContext, 'operation' | 'validators'>, exchange: Exchange): SchemaTarget | null {
  const { response, request } = exchange;
  if (!response || bodilessBecause(request.method, response.status)) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  // OpenAPI 3.0 §4.7.17: without `content` the payload is undocumented: nothing to validate.
  if (!documented || documented.content.length === 0) return null;
  const ranges = documented.content.map((c) => c.mediaType);
  const [contentType] = headerValues(response, 'content-type');
  const media = contentType ? parseMediaType(contentType) : null;
  const range =
    response.body.length === 0
      ? (ranges.find((r) => { const m = parseMediaType(r); return m !== null && isJsonMediaType(m); }) ?? null)
      : media
        ? bestMediaRange(ranges, media)
        : null;
  const validate = range ? ctx.validators.body(ctx.operation.operationId, documented.status, range) : undefined;
  if (!range || !validate) return null;
  const rangeMedia = parseMediaType(range);
  const json = (rangeMedia !== null && isJsonMediaType(rangeMedia)) || (media !== null && isJsonMediaType(media));
  return { status: documented.status, range, validate, json };
}

/** The body parses as the documented media type and validates against its schema. */
export const response_schema_conformance: Check = (ctx, exchange) => {
  const target = schemaTarget(ctx, exchange);
  const response = exchange.response;
  if (!target || !response) return null;
  const fail = (f: Omit<Failure, 'check' | 'kind' | 'operationId' | 'received'>): Failure => ({ ...failure('response_schema_conformance', 'contract', ctx.operation, exchange, f.location, f.expected, f.actual), ...(f.more ? { more: f.more } : {}) });
  let data: unknown = response.body.toString('utf8');
  if (target.json) {
    const root = { part: 'body' as const, pointer: '' };
    // Documented content, whatever the Content-Type says: an empty body is not a JSON document.
    if (response.body.length === 0) return fail({ location: root, expected: { kind: 'json' }, actual: { kind: 'unparsable', reason: 'empty body', value: { type: 'absent' } } });
    try {
      data = JSON.parse(data as string);
    } catch (error) {
      // The parser's message quotes the text around the error, which may be a secret: say only where it is.
      return fail({ location: root, expected: { kind: 'json' }, actual: { kind: 'unparsable', reason: whereJsonBreaks(data as string, (error as Error).message), value: { type: 'string' } } });
    }
  }
  if (target.validate(data)) return null;
  const [first, ...rest] = schemaFindings(target.validate.errors ?? [], data, ctx);
  if (!first) return null;
  const entry = (f: SchemaFinding) => ({ location: { part: 'body' as const, pointer: f.pointer }, expected: { kind: 'schema' as const, finding: f }, actual: { kind: 'value' as const, value: f.value } });
  return fail({ ...entry(first), ...(rest.length ? { more: rest.map(entry) } : {}) });
};

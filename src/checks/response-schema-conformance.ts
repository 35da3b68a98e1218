import { bestMediaRange, bodyLocation, documentedResponse, failure, headerValues, isJsonMediaType, parseMediaType } from './http';
import { preview } from './preview';
import { pointerTokens } from '../contract/json-pointer';
import type { Check } from './types';
import type { ErrorObject } from 'ajv';

function valueAt(data: unknown, instancePath: string): unknown {
  let node = data;
  for (const key of pointerTokens(instancePath)) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function locate(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  return bodyLocation(error.instancePath, params.missingProperty ?? params.additionalProperty);
}

/** The body parses as the documented media type and validates against its schema. */
export const response_schema_conformance: Check = (ctx, { response }) => {
  if (!response) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  const [contentType] = headerValues(response, 'content-type');
  const media = contentType ? parseMediaType(contentType) : null;
  // Without a documented, matching media type there is no schema to apply (content_type_conformance reports it).
  const range = documented && media ? bestMediaRange(documented.content.map((c) => c.mediaType), media) : null;
  if (!documented || !media || !range) return null;
  const validate = ctx.validators.body(ctx.operation.operationId, documented.status, range);
  if (!validate) return null;
  const fail = (location: string, expected: string, actual: string, more?: string[]) =>
    failure({ check: 'response_schema_conformance', kind: 'contract', location, expected, actual, ...(more ? { more } : {}) }, ctx.operation, response);
  let data: unknown = response.body.toString('utf8');
  if (isJsonMediaType(media)) {
    if (response.body.length === 0) return fail('body', 'a JSON document', '(empty body)');
    try {
      data = JSON.parse(data as string);
    } catch (error) {
      return fail('body', 'valid JSON (RFC 8259)', `${(error as Error).message}: ${preview(response.body, 60)}`);
    }
  }
  if (validate(data)) return null;
  const [first, ...rest] = validate.errors ?? [];
  if (!first) return fail('body', 'valid against the schema', preview(data));
  const describe = (e: ErrorObject) => `${e.message ?? e.keyword}${e.keyword === 'enum' ? ` ${JSON.stringify(e.params)}` : ''}`;
  return fail(
    locate(first),
    describe(first),
    preview(first.keyword === 'required' ? undefined : valueAt(data, first.instancePath)),
    rest.map((e) => `${locate(e)}: ${describe(e)}, got ${preview(valueAt(data, e.instancePath), 60)}`),
  );
};

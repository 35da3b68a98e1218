import { documentedResponse } from '../contract/responses';
import { failure, headerValues, shapeOf } from './http';
import { schemaFindings } from './response-schema-conformance';
import type { Check } from './types';

/** Documented response headers are present when required and valid against their schema. */
export const response_headers_conformance: Check = (ctx, exchange) => {
  const { response } = exchange;
  if (!response) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  if (!documented) return null;
  for (const header of documented.headers) {
    // OpenAPI 3.0 §4.7.17: a documented `Content-Type` response header SHALL be ignored.
    if (header.name.toLowerCase() === 'content-type') continue;
    const location = { part: 'header' as const, name: header.name };
    const values = headerValues(response, header.name);
    if (values.length === 0) {
      if (!header.required) continue;
      return failure('response_headers_conformance', 'contract', ctx.operation, exchange, location, { kind: 'header-present' }, { kind: 'missing' });
    }
    const validate = ctx.validators.header(ctx.operation.operationId, documented.status, header.name);
    // RFC 9110 §5.3: repeated field lines are one comma-joined value.
    const joined = values.join(', ');
    if (validate && !validate(joined)) {
      const secret = ctx.isSecretHeader(header.name);
      const finding = schemaFindings(validate.errors ?? [], joined, { isSecret: () => secret })[0] ?? { pointer: '', keyword: 'schema', params: {}, message: 'matches its schema', value: shapeOf(joined, secret) };
      return failure('response_headers_conformance', 'contract', ctx.operation, exchange, location, { kind: 'header-schema', finding }, secret ? { kind: 'value', value: shapeOf(joined, true) } : { kind: 'text', text: joined });
    }
  }
  return null;
};

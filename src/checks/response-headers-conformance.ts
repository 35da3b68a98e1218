import { documentedResponse, failure, headerValues } from './http';
import type { Check } from './types';

/** Documented response headers are present when required and valid against their schema. */
export const response_headers_conformance: Check = (ctx, { response }) => {
  if (!response) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  if (!documented) return null;
  for (const header of documented.headers) {
    // OpenAPI 3.0 §4.7.17: a documented `Content-Type` response header SHALL be ignored.
    if (header.name.toLowerCase() === 'content-type') continue;
    const location = `header ${header.name}`;
    const values = headerValues(response, header.name);
    if (values.length === 0) {
      if (!header.required) continue;
      return failure({ check: 'response_headers_conformance', kind: 'contract', location, expected: 'present (required)', actual: '(missing)' }, ctx.operation, response);
    }
    const validate = ctx.validators.header(ctx.operation.operationId, documented.status, header.name);
    // RFC 9110 §5.3: repeated field lines are one comma-joined value.
    const joined = values.join(', ');
    if (validate && !validate(joined)) {
      const error = validate.errors?.[0];
      return failure(
        { check: 'response_headers_conformance', kind: 'contract', location, expected: error?.message ?? 'valid against its schema', actual: joined },
        ctx.operation,
        response,
      );
    }
  }
  return null;
};

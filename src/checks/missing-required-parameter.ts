import { documentedClientErrors } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/**
 * A request that leaves out a required parameter or body member (OpenAPI 3.0 §4.7.12 `required`) is
 * refused with a client error (RFC 9110 §15.5); accepting it, or failing on it, breaks the contract.
 */
export const missing_required_parameter: Check = (ctx, exchange) => {
  const { response } = exchange;
  const missing = ctx.expect.missing;
  if (!response || !missing || (response.status >= 400 && response.status < 500)) return null;
  return failure('missing_required_parameter', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'missing-refused', ...missing, statuses: documentedClientErrors(ctx.operation) }, { kind: 'status', status: response.status });
};

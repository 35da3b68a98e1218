import { documentedClientErrors } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/**
 * One identity's resource is refused to another (OWASP API1:2023, broken object-level authorisation):
 * any client error will do (a 404 that hides the resource is as legal as a 403, RFC 9110 §15.5.4); a 2xx fails.
 */
export const cross_identity_access: Check = (ctx, exchange) => {
  const { response } = exchange;
  const refuse = ctx.expect.refuse;
  if (!response || !refuse || response.status < 200 || response.status >= 300) return null;
  return failure('cross_identity_access', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'cross-identity-refusal', ...refuse, statuses: documentedClientErrors(ctx.operation) }, { kind: 'status', status: response.status });
};

import { isSecured } from '../contract/model';
import { failure } from './http';
import type { Check } from './types';

/**
 * An operation whose security has an empty alternative accepts requests without
 * a credential (OpenAPI 3.0 §4.7.10): refusing one with 401, "lacks valid
 * authentication credentials" (RFC 9110 §15.5.2), breaks the contract.
 */
export const anonymous_access: Check = (ctx, exchange) => {
  const { response } = exchange;
  const optional = ctx.operation.security.length > 0 && !isSecured(ctx.operation);
  if (!response || !optional || ctx.credential !== 'missing' || response.status !== 401) return null;
  return failure('anonymous_access', 'contract', ctx.operation, exchange, { part: 'status' }, { kind: 'anonymous-access' }, { kind: 'status', status: 401 });
};

import { isSecured } from '../contract/model';
import { failure } from './http';
import type { Check } from './types';

/** A secured operation never accepts a request with a missing or unknown credential. */
export const auth_required: Check = (ctx, exchange) => {
  const { response } = exchange;
  if (!response || ctx.credential === 'valid' || !isSecured(ctx.operation)) return null;
  // RFC 9110 §15.3: a 2xx means the request was accepted; any documented refusal (401, 404, ...) is legal.
  if (response.status < 200 || response.status >= 300) return null;
  return failure('auth_required', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'authentication-required', credential: ctx.credential }, { kind: 'status', status: response.status });
};

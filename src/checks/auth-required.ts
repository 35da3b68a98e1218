import { isSecured } from '../contract/model';
import { failure } from './http';
import type { Check } from './types';

/** A secured operation answers 401 to a request with a missing or invalid credential. */
export const auth_required: Check = (ctx, { response }) => {
  if (!response || ctx.intent.credentials === 'valid' || !isSecured(ctx.operation)) return null;
  if (response.status === 401) return null;
  const accepted = response.status >= 200 && response.status < 300;
  return failure(
    {
      check: 'auth_required',
      kind: 'contract',
      location: 'status',
      expected: `401 for ${ctx.intent.credentials === 'invalid' ? 'an invalid' : 'a missing'} credential`,
      actual: accepted ? `${response.status}: the request was accepted without authentication` : String(response.status),
    },
    ctx.operation,
    response,
  );
};

import { documentedClientErrors } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/** Input the recipe declares invalid (a wrong, used or revoked value) is never accepted. */
export const negative_data_rejection: Check = (ctx, exchange) => {
  const { response } = exchange;
  const because = ctx.expect.reject;
  if (!response || because === undefined || response.status < 200 || response.status >= 300) return null;
  return failure(
    'negative_data_rejection',
    'behaviour',
    ctx.operation,
    exchange,
    { part: 'status' },
    { kind: 'rejection', because, statuses: documentedClientErrors(ctx.operation) },
    { kind: 'status', status: response.status },
  );
};

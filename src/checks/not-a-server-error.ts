import { provokes } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/**
 * A 5xx says the server failed (RFC 9110 §15.6), documented or not: it fails unless the exchange aims at
 * that very response. A 501 to a method the contract does not document is the refusal RFC 9110 §15.6.2 names.
 */
export const not_a_server_error: Check = (ctx, exchange) => {
  const { response } = exchange;
  if (!response || response.status < 500 || response.status > 599) return null;
  const aimedAt = ctx.expect.aimedAt ?? [];
  if (aimedAt.some((key) => provokes(ctx.operation, response.status, key))) return null;
  if (ctx.expect.undocumentedMethod && response.status === 501) return null;
  return failure('not_a_server_error', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'not-server-error', aimedAt }, { kind: 'status', status: response.status });
};

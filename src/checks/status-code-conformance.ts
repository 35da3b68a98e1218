import { documentedResponse } from '../contract/responses';
import { failure } from './http';
import type { Check } from './types';

/** The status is one the contract documents for the operation (explicitly, by range or by `default`). */
export const status_code_conformance: Check = (ctx, exchange) => {
  const { response } = exchange;
  if (!response || documentedResponse(ctx.operation, response.status)) return null;
  return failure(
    'status_code_conformance',
    'contract',
    ctx.operation,
    exchange,
    { part: 'status' },
    { kind: 'documented-status', statuses: ctx.operation.responses.map((r) => r.status) },
    { kind: 'status', status: response.status },
  );
};

import { documentedResponse, failure } from './http';
import type { Check } from './types';

/** The status is one the contract documents for the operation (explicitly, by range or `default`). */
export const status_code_conformance: Check = (ctx, { response }) => {
  if (!response || documentedResponse(ctx.operation, response.status)) return null;
  return failure(
    {
      check: 'status_code_conformance',
      kind: 'contract',
      location: 'status',
      expected: `one of ${ctx.operation.responses.map((r) => r.status).join(', ')}`,
      actual: String(response.status),
    },
    ctx.operation,
    response,
  );
};

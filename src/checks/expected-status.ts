import { failure } from './http';
import type { Check } from './types';

/** The status is the one the scenario set out to provoke. */
export const expected_status: Check = (ctx, { response }) => {
  const wanted = ctx.intent.expectedStatus;
  if (!response || wanted === null || response.status === wanted) return null;
  return failure(
    { check: 'expected_status', kind: 'unexpected_status', location: 'status', expected: String(wanted), actual: String(response.status) },
    ctx.operation,
    response,
  );
};

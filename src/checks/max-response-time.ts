import { failure } from './http';
import type { Check } from './types';

/** An exchange takes no longer than its budget (MAX_RESPONSE_TIME_MS, or the operation's in the recipes). */
export const max_response_time: Check = (ctx, exchange) => {
  const budget = ctx.expect.maxResponseTime;
  if (!exchange.response || !budget || exchange.durationMs <= budget.ms) return null;
  return failure('max_response_time', 'behaviour', ctx.operation, exchange, { part: 'time' }, { kind: 'response-time', ...budget }, { kind: 'duration', ms: Math.round(exchange.durationMs) });
};

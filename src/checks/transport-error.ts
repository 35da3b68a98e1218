import type { Check } from './types';

/** A request that got no HTTP response at all (refused, reset, timed out, bad TLS). */
export const transport_error: Check = (ctx, exchange) => {
  if (!exchange.error) return null;
  return {
    check: 'transport_error',
    kind: 'transport',
    operationId: ctx.operation.operationId,
    status: null,
    location: 'connection',
    expected: 'an HTTP response',
    actual: `${exchange.error.kind}: ${exchange.error.message}`,
  };
};

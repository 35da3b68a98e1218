import type { Check } from './types';

/** A request that got no HTTP response at all (refused, reset, timed out, bad TLS, broken framing). */
export const transport_error: Check = (ctx, exchange) => {
  if (!exchange.error) return null;
  return {
    check: 'transport_error',
    kind: 'transport',
    operationId: ctx.operation.operationId,
    received: null,
    location: { part: 'connection' },
    expected: { kind: 'response' },
    actual: { kind: 'transport', error: exchange.error.kind, message: exchange.error.message },
  };
};

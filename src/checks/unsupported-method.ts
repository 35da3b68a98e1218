import { failure, headerValues } from './http';
import type { Check } from './types';

/**
 * A method the contract does not document for a path must not succeed (a 2xx says it did something), and
 * a 405 must say which methods the resource supports (RFC 9110 §15.5.6: the server MUST generate Allow).
 * Any other refusal (401, 404, 405, 501, ...) is legal.
 */
export const unsupported_method: Check = (ctx, exchange) => {
  const { response } = exchange;
  const undocumented = ctx.expect.undocumentedMethod;
  if (!response || !undocumented) return null;
  if (response.status >= 200 && response.status < 300) {
    return failure('unsupported_method', 'behaviour', ctx.operation, exchange, { part: 'status' }, { kind: 'unsupported-method', ...undocumented }, { kind: 'status', status: response.status });
  }
  if (response.status === 405 && headerValues(response, 'allow').length === 0) {
    return failure('unsupported_method', 'contract', ctx.operation, exchange, { part: 'header', name: 'Allow' }, { kind: 'allow-header', method: undocumented.method }, { kind: 'missing' });
  }
  return null;
};

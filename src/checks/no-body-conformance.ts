import { bodilessBecause, failure, headerValues } from './http';
import type { Check } from './types';

/**
 * RFC 9110 §6.4.1: responses to HEAD and 1xx, 204 and 304 responses carry no
 * content, whatever the contract says. A response the contract documents
 * without `content` merely leaves its payload undocumented (OpenAPI 3.0 §4.7.17).
 */
export const no_body_conformance: Check = (ctx, exchange) => {
  const { response, request } = exchange;
  if (!response) return null;
  const because = bodilessBecause(request.method, response.status);
  if (!because) return null;
  const fail = (header: string | undefined, bytes: number) =>
    failure('no_body_conformance', 'contract', ctx.operation, exchange, header ? { part: 'header', name: header } : { part: 'body', pointer: '' }, { kind: 'no-content', because }, { kind: 'content', bytes, ...(header ? { header } : {}) });
  if (response.body.length > 0) return fail(undefined, response.body.length);
  // RFC 9110 §8.6: HEAD and 304 may carry the Content-Length of the selected representation.
  if (because === 'HEAD' || because === '304') return null;
  // RFC 9110 §8.6: a 1xx or 204 MUST NOT carry Content-Length; a literal 0 is tolerated as harmless.
  const length = headerValues(response, 'content-length').find((v) => v.trim() !== '0');
  if (length !== undefined) return fail('Content-Length', Number(length) || 0);
  // RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding in a 1xx or 204 (it would announce content).
  const te = headerValues(response, 'transfer-encoding');
  if (te.length > 0) return fail('Transfer-Encoding', 0);
  return null;
};

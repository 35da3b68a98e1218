import { documentedResponse, failure, headerValues } from './http';
import type { Check } from './types';

/** A response documented without content carries none: no bytes, no non-zero Content-Length. */
export const no_body_conformance: Check = (ctx, { response }) => {
  if (!response) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  const bodyless = response.status === 204 || response.status === 304 || (documented !== null && documented.content.length === 0);
  if (!bodyless) return null;
  const fail = (location: string, actual: string) =>
    failure({ check: 'no_body_conformance', kind: 'contract', location, expected: 'no content', actual }, ctx.operation, response);
  if (response.body.length > 0) return fail('body', `${response.body.length} bytes`);
  const length = headerValues(response, 'content-length');
  // RFC 9110 §8.6: a 204 MUST NOT carry Content-Length; a literal 0 is tolerated as harmless.
  if (length.some((v) => v.trim() !== '0')) return fail('header Content-Length', length.join(', '));
  // RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding in a 204 (it would announce a body).
  const te = headerValues(response, 'transfer-encoding');
  if (response.status === 204 && te.length > 0) return fail('header Transfer-Encoding', te.join(', '));
  return null;
};

import { documentedResponse, failure, headerValues } from './http';
import type { Check } from './types';

/**
 * A response without content carries none: 1xx and 204 never do (no bytes, no
 * Content-Length, no Transfer-Encoding); a 304, or a status the contract documents
 * explicitly without content, has no bytes. Ranges and `default` are not pinned down.
 */
export const no_body_conformance: Check = (ctx, { response }) => {
  if (!response) return null;
  const { status } = response;
  const documented = documentedResponse(ctx.operation, status);
  const never = status < 200 || status === 204;
  const explicit = documented !== null && documented.status === String(status) && documented.content.length === 0;
  if (!never && status !== 304 && !explicit) return null;
  const fail = (location: string, actual: string) =>
    failure({ check: 'no_body_conformance', kind: 'contract', location, expected: 'no content', actual }, ctx.operation, response);
  if (response.body.length > 0) return fail('body', `${response.body.length} bytes`);
  // RFC 9110 §8.6: a 304 may carry the Content-Length of the selected representation.
  if (!never) return null;
  const length = headerValues(response, 'content-length');
  // RFC 9110 §8.6: a 204 MUST NOT carry Content-Length; a literal 0 is tolerated as harmless.
  if (length.some((v) => v.trim() !== '0')) return fail('header Content-Length', length.join(', '));
  // RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding in a 204 (it would announce a body).
  const te = headerValues(response, 'transfer-encoding');
  if (te.length > 0) return fail('header Transfer-Encoding', te.join(', '));
  return null;
};

import { documentedResponse } from '../contract/responses';
import { bestMediaRange, bodilessBecause, failure, headerValues, parseMediaType } from './http';
import type { Check } from './types';

/** Content the contract documents arrives with a Content-Type inside one of the documented media ranges. */
export const content_type_conformance: Check = (ctx, exchange) => {
  const { response, request } = exchange;
  if (!response || bodilessBecause(request.method, response.status)) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  // OpenAPI 3.0 §4.7.17: a response without `content` leaves its payload undocumented.
  if (!documented || documented.content.length === 0) return null;
  // RFC 9110 §8.3: Content-Type describes content; an empty body has none to describe (the schema check judges emptiness).
  if (response.body.length === 0) return null;
  const ranges = documented.content.map((c) => c.mediaType);
  const fail = (text: string | null) =>
    failure('content_type_conformance', 'contract', ctx.operation, exchange, { part: 'header', name: 'Content-Type' }, { kind: 'media-type', ranges }, text === null ? { kind: 'missing' } : { kind: 'text', text });
  const values = headerValues(response, 'content-type');
  // RFC 9110 §8.3: content SHOULD carry a Content-Type; the contract documents one, so here it must.
  if (values.length === 0) return fail(null);
  // RFC 9110 §5.3: Content-Type is a singleton field; several values cannot be combined.
  if (values.length > 1) return fail(values.join(' | '));
  const parsed = parseMediaType(values[0]!);
  if (!parsed) return fail(`${values[0]} (not a media type)`);
  return bestMediaRange(ranges, parsed) ? null : fail(values[0]!);
};

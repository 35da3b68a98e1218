import { bestMediaRange, documentedResponse, failure, headerValues, parseMediaType } from './http';
import type { Check } from './types';

/** A documented body arrives with a Content-Type inside one of the documented media ranges. */
export const content_type_conformance: Check = (ctx, { response }) => {
  if (!response) return null;
  const documented = documentedResponse(ctx.operation, response.status);
  if (!documented || documented.content.length === 0) return null;
  const ranges = documented.content.map((c) => c.mediaType);
  const fail = (actual: string) =>
    failure(
      { check: 'content_type_conformance', kind: 'contract', location: 'header Content-Type', expected: ranges.join(' or '), actual },
      ctx.operation,
      response,
    );
  const values = headerValues(response, 'content-type');
  // RFC 9110 §8.3: a message with content SHOULD carry Content-Type; the contract documents one, so it MUST here.
  if (values.length === 0) return fail('(missing)');
  // RFC 9110 §5.3: Content-Type is a singleton field; several values are not combinable.
  if (values.length > 1) return fail(values.join(' | '));
  const parsed = parseMediaType(values[0]!);
  if (!parsed) return fail(`${values[0]} (not a media type)`);
  return bestMediaRange(ranges, parsed) ? null : fail(values[0]!);
};

import { sameValue } from './fresh-values';
import { failure, jsonMediaType, parseJsonBody, valueAt } from './http';
import type { Check } from './types';

/** A value the recipe saved earlier is what the server now shows (lists: the same items, in any order). */
export const saved_values_match: Check = (ctx, exchange) => {
  const { response } = exchange;
  const same = ctx.expect.same;
  if (!response || !same || response.status < 200 || response.status >= 300 || !jsonMediaType(response)) return null;
  const actual = valueAt(parseJsonBody(response.body), same.pointer);
  if (actual === undefined) return null; // response_schema_conformance reports a malformed body
  const expected = same.value;
  const expectedList = Array.isArray(expected) ? expected : [expected];
  const actualList = Array.isArray(actual) ? actual : [actual];
  const missing = expectedList.filter((e) => !actualList.some((a) => sameValue(a, e))).length;
  const extra = actualList.filter((a) => !expectedList.some((e) => sameValue(a, e))).length;
  if (missing === 0 && extra === 0) return null;
  return failure('saved_values_match', 'behaviour', ctx.operation, exchange, { part: 'body', pointer: same.pointer }, { kind: 'same-values', because: same.because, count: expectedList.length }, { kind: 'different', missing, extra });
};

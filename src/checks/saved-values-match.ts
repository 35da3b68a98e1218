import { sameValue } from './fresh-values';
import { failure, parseJsonBody, shapeOf, succeededWithJson, valueAt } from './http';
import type { Check } from './types';

/** The value at a pointer equals what the recipe expects: a saved value, or what was sent (lists: the same items, in any order). */
export const saved_values_match: Check = (ctx, exchange) => {
  const { response } = exchange;
  const same = ctx.expect.same;
  if (!response || !same || !succeededWithJson(response)) return null;
  const actual = valueAt(parseJsonBody(response.body), same.pointer);
  if (actual === undefined) return null; // response_schema_conformance reports a malformed body
  const expected = same.value;
  const list = Array.isArray(expected) || Array.isArray(actual);
  const expectedList = Array.isArray(expected) ? expected : [expected];
  const actualList = Array.isArray(actual) ? actual : [actual];
  const missing = expectedList.filter((e) => !actualList.some((a) => sameValue(a, e))).length;
  const extra = actualList.filter((a) => !expectedList.some((e) => sameValue(a, e))).length;
  if (missing === 0 && extra === 0 && (!list || expectedList.length === actualList.length)) return null;
  const secret = ctx.isSecret(same.pointer);
  const shapes = (values: unknown[]) => (list ? [] : values.map((v) => shapeOf(v, secret)));
  return failure(
    'saved_values_match',
    'behaviour',
    ctx.operation,
    exchange,
    { part: 'body', pointer: same.pointer },
    { kind: 'same-values', because: same.because, expected: list ? expectedList.map((v) => shapeOf(v, true)) : shapes(expectedList), origin: same.origin },
    { kind: 'different', missing, extra, got: list ? actualList.map((v) => shapeOf(v, true)) : shapes(actualList) },
  );
};

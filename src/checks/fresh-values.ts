import { failure, parseJsonBody, succeededWithJson, valueAt } from './http';
import type { Check } from './types';

/** A list the recipe expects to be new is not empty and repeats none of the values saved before. */
export const fresh_values: Check = (ctx, exchange) => {
  const { response } = exchange;
  const fresh = ctx.expect.fresh;
  if (!response || !fresh || !succeededWithJson(response)) return null;
  const list = valueAt(parseJsonBody(response.body), fresh.pointer);
  // A missing or malformed list is response_schema_conformance's to report.
  if (!Array.isArray(list)) return null;
  const kept = list.filter((v) => fresh.notIn.some((old) => sameValue(old, v))).length;
  if (list.length > 0 && kept === 0) return null;
  return failure('fresh_values', 'behaviour', ctx.operation, exchange, { part: 'body', pointer: fresh.pointer }, { kind: 'fresh-values', because: fresh.because }, list.length === 0 ? { kind: 'empty-list' } : { kind: 'reused', kept, of: list.length });
};

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

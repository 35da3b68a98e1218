import { sameValue } from './fresh-values';
import { failure, itemsAt, parseJsonBody, succeededWithJson } from './http';
import type { Check, CheckContext, Exchange, ListExpectation } from './types';

function items(exchange: Exchange, pointer: string): unknown[] {
  return itemsAt(parseJsonBody(exchange.response!.body), pointer);
}

const found = (list: unknown[], expectation: ListExpectation) => expectation.values.filter((v) => list.some((item) => sameValue(item, v))).length;

/** The items at a pointer include every expected value (e.g. the list shows the resource just created). */
export const list_contains: Check = (ctx: CheckContext, exchange) => {
  const contains = ctx.expect.contains;
  if (!contains || !succeededWithJson(exchange.response)) return null;
  const list = items(exchange, contains.pointer);
  const matched = found(list, contains);
  if (matched === contains.values.length) return null;
  return failure('list_contains', 'behaviour', ctx.operation, exchange, { part: 'body', pointer: contains.pointer }, { kind: 'list-contains', because: contains.because, count: contains.values.length, origin: contains.origin, caller: contains.caller }, { kind: 'items', count: list.length, matched });
};

/** The items at a pointer include none of the given values (a deleted resource, another identity's secrets). */
export const list_excludes: Check = (ctx, exchange) => {
  const excludes = ctx.expect.excludes;
  if (!excludes || !succeededWithJson(exchange.response)) return null;
  const list = items(exchange, excludes.pointer);
  const matched = found(list, excludes);
  if (matched === 0) return null;
  return failure('list_excludes', 'behaviour', ctx.operation, exchange, { part: 'body', pointer: excludes.pointer }, { kind: 'list-excludes', because: excludes.because, count: excludes.values.length, origin: excludes.origin, caller: excludes.caller }, { kind: 'items', count: list.length, matched });
};

/** There are no items at a pointer (an absent optional list counts as empty, OpenAPI 3.0 §4.7.24). */
export const list_empty: Check = (ctx, exchange) => {
  const empty = ctx.expect.empty;
  if (!empty || !succeededWithJson(exchange.response)) return null;
  const list = items(exchange, empty.pointer);
  if (list.length === 0) return null;
  return failure('list_empty', 'behaviour', ctx.operation, exchange, { part: 'body', pointer: empty.pointer }, { kind: 'list-empty', because: empty.because }, { kind: 'items', count: list.length, matched: list.length });
};

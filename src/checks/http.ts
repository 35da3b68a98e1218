/** Small HTTP helpers shared by checks: header lookup, media types, JSON bodies, value shapes. */
import { pointerTokens } from '../contract/json-pointer';
import type { OperationSpec } from '../contract/model';
import type { Actual, Exchange, Expected, Failure, FailureKind, Location, ResponseRecord, ValueShape } from './types';

/** All values of a field; RFC 9110 §5.1: field names are case-insensitive. */
export function headerValues(response: ResponseRecord, name: string): string[] {
  const wanted = name.toLowerCase();
  return response.headers.filter((h) => h.name.toLowerCase() === wanted).map((h) => h.value);
}

export interface MediaType {
  type: string;
  subtype: string;
  /** `json` for `application/vnd.x+json` (RFC 6838 §4.2.8). */
  suffix: string | null;
  params: Record<string, string>;
}

/** RFC 9110 §8.3.1: type, subtype and parameter names are case-insensitive; values may be quoted. */
export function parseMediaType(value: string): MediaType | null {
  const [essence = '', ...rawParams] = value.split(';');
  const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\/([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*$/.exec(essence);
  if (!match) return null;
  const type = match[1]!.toLowerCase();
  const subtype = match[2]!.toLowerCase();
  const params: Record<string, string> = {};
  for (const raw of rawParams) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    let val = raw.slice(eq + 1).trim();
    // RFC 9110 §5.6.4 quoted-string.
    if (val.startsWith('"') && val.endsWith('"') && val.length >= 2) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    params[name] = val;
  }
  const plus = subtype.lastIndexOf('+');
  return { type, subtype, suffix: plus >= 0 ? subtype.slice(plus + 1) : null, params };
}

/** How well a documented media range (`application/json`, `application/*`, `*\/*`) matches the received type; 0: not at all. */
export function mediaRangeMatches(range: string, actual: MediaType): number {
  const r = parseMediaType(range);
  if (!r) return 0;
  // Parameters in the range must match; extra parameters on the response (charset) are allowed.
  for (const [name, val] of Object.entries(r.params)) {
    const got = actual.params[name];
    // RFC 9110 §8.3.2: a charset left out means the media type's default (UTF-8 for JSON, RFC 8259 §8.1).
    if (got === undefined && name === 'charset') continue;
    if ((got ?? '').toLowerCase() !== val.toLowerCase()) return 0;
  }
  // RFC 9110 §12.5.1 precedence: a range with more matching parameters is more specific.
  const params = Object.keys(r.params).length;
  if (r.type === '*' && r.subtype === '*') return 10 + params;
  if (r.type !== actual.type) return 0;
  if (r.subtype === '*') return 20 + params;
  return r.subtype === actual.subtype ? 30 + params : 0;
}

/** The documented range that best matches, most specific first (OpenAPI 3.0 §4.7.11). */
export function bestMediaRange(ranges: string[], actual: MediaType): string | null {
  let best: string | null = null;
  let score = 0;
  for (const range of ranges) {
    const s = mediaRangeMatches(range, actual);
    if (s > score) [best, score] = [range, s];
  }
  return best;
}

export function isJsonMediaType(mt: MediaType): boolean {
  // RFC 8259 §11 application/json; RFC 6839 §3.1 the +json structured syntax suffix.
  return (mt.type === 'application' && mt.subtype === 'json') || mt.suffix === 'json';
}

/** The response's media type when it is JSON, else null. */
export function jsonMediaType(response: ResponseRecord): MediaType | null {
  const [contentType] = headerValues(response, 'content-type');
  const media = contentType ? parseMediaType(contentType) : null;
  return media && isJsonMediaType(media) ? media : null;
}

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The value at an RFC 6901 pointer, or undefined. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const key of pointerTokens(pointer)) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

// The items a pointer names, with `*` standing for every array item or member (e.g. /notes/*/id): every
// match, in document order. A pointer without `*` names one value: a list's items, or the value itself.

export function itemsAt(data: unknown, pointer: string): unknown[] {
  const tokens = pointerTokens(pointer);
  if (!tokens.includes('*')) {
    const value = valueAt(data, pointer);
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  }
  let nodes: unknown[] = [data];
  for (const token of tokens) {
    nodes = nodes.flatMap((node) => {
      if (node === null || typeof node !== 'object') return [];
      if (token === '*') return Object.values(node);
      const next = (node as Record<string, unknown>)[token];
      return next === undefined ? [] : [next];
    });
  }
  return nodes;
}

/** Whether a response is a successful JSON answer (RFC 9110 §15.3): list and value assertions judge only those. */
export function succeededWithJson(response: ResponseRecord | null): boolean {
  return response !== null && response.status >= 200 && response.status < 300 && jsonMediaType(response) !== null;
}

export function jsonType(value: unknown): ValueShape['type'] {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  // JSON has one number type (RFC 8259 §6); "integer" is what a schema may ask for, not what arrives.
  if (typeof value === 'number') return 'number';
  return typeof value as ValueShape['type'];
}

/** A value's type always; a short preview only when it is not secret. */
export function shapeOf(value: unknown, masked: boolean): ValueShape {
  const type = jsonType(value);
  if (masked || type === 'absent') return { type };
  const text = (JSON.stringify(value) ?? String(value)).replace(/\s+/g, ' ');
  return { type, preview: text.length > 80 ? `${text.slice(0, 80)}…` : text };
}

export function failure(
  check: string,
  kind: FailureKind,
  op: OperationSpec,
  exchange: Exchange,
  location: Location,
  expected: Expected,
  actual: Actual,
): Failure {
  return { check, kind, operationId: op.operationId, received: exchange.response?.status ?? null, location, expected, actual };
}

/** RFC 9110 §6.4.1: a HEAD response, and 1xx, 204 and 304, never carry content. */
export function bodilessBecause(method: string, status: number): 'informational' | '204' | '304' | 'HEAD' | null {
  if (method.toUpperCase() === 'HEAD') return 'HEAD';
  if (status < 200) return 'informational';
  if (status === 204) return '204';
  if (status === 304) return '304';
  return null;
}

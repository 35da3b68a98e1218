/** Small HTTP helpers shared by checks: header lookup, media types, response matching. */
import { pointerTokens } from '../contract/json-pointer';
import type { OperationSpec, ResponseSpec } from '../contract/model';
import type { Failure, ResponseRecord } from './types';

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

/** Does the received type fall in a documented media range (`application/json`, `application/*`, `*\/*`)? */
export function mediaRangeMatches(range: string, actual: MediaType): number {
  const r = parseMediaType(range);
  if (!r) return 0;
  // Parameters in the range must match; extra parameters on the response (charset) are allowed.
  for (const [name, val] of Object.entries(r.params)) {
    if ((actual.params[name] ?? '').toLowerCase() !== val.toLowerCase()) return 0;
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

/** OpenAPI 3.0 §4.7.16: an explicit code wins over a range (`4XX`), which wins over `default`. */
export function documentedResponse(op: OperationSpec, status: number): ResponseSpec | null {
  const exact = op.responses.find((r) => r.status === String(status));
  if (exact) return exact;
  const range = op.responses.find((r) => r.status === `${String(status)[0]}XX`);
  return range ?? op.responses.find((r) => r.status === 'default') ?? null;
}

export function failure(
  fields: Omit<Failure, 'operationId' | 'status'>,
  op: OperationSpec,
  response: ResponseRecord | null,
): Failure {
  return { ...fields, operationId: op.operationId, status: response?.status ?? null };
}

/** `/recovery_codes/3` -> `body.recovery_codes[3]` (Ajv instancePath is an RFC 6901 pointer). */
export function bodyLocation(instancePath: string, extraKey?: string): string {
  const tokens = pointerTokens(instancePath);
  if (extraKey !== undefined) tokens.push(extraKey);
  let out = 'body';
  for (const token of tokens) {
    if (/^\d+$/.test(token)) out += `[${token}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(token)) out += `.${token}`;
    else out += `[${JSON.stringify(token)}]`;
  }
  return out;
}

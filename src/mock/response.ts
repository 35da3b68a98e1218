/**
 * The mock's response model and its one writer. Handlers plan a response as
 * data (PlannedResponse); a mutant may rewrite that plan before writeResponse
 * turns it into bytes, so the normal path and every mutant share one writer.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export type ContentCoding = 'gzip' | 'br';

export interface PlannedResponse {
  readonly status: number;
  /** JSON value of the body; `undefined` means no body (`null` is the JSON literal). */
  readonly value?: unknown;
  /** The body bytes; when set they win over `value` (pre-serialised or deliberately broken). */
  readonly body?: Buffer;
  /** Content-Type of a body; default `application/json`; `null` omits the header. */
  readonly contentType?: string | null;
  /** Extra header fields, written after the generated ones. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  /** Compress the body with this content coding (RFC 9110 §8.4.1). */
  readonly contentEncoding?: ContentCoding;
  /** Send the body with chunked transfer coding instead of Content-Length (RFC 9112 §7.1). */
  readonly chunked?: boolean;
  /** Answer with `Connection: close` and end the connection afterwards (RFC 9112 §9.6). */
  readonly close?: boolean;
  /** Wait this long before writing anything. */
  readonly delayMs?: number;
}

export const JSON_MEDIA_TYPE = 'application/json';

/** A constant JSON response whose bytes are serialised once, at module load. */
export function constantJson(status: number, value: unknown, extra?: Partial<PlannedResponse>): PlannedResponse {
  return Object.freeze({ status, value, body: Buffer.from(JSON.stringify(value)), ...extra });
}

/** A constant Error body (`{"error": message}`) of the contract's Error schema. */
export function errorResponse(status: number, message: string, extra?: Partial<PlannedResponse>): PlannedResponse {
  return constantJson(status, { error: message }, extra);
}

/** 1xx, 204 and 304 never carry content (RFC 9110 §6.4.1). */
export function statusForbidsBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

export function serialiseBody(p: PlannedResponse): Buffer | undefined {
  if (p.body !== undefined) return p.body;
  if (p.value === undefined) return undefined;
  return Buffer.from(JSON.stringify(p.value));
}

/** Writes a planned response through node's ServerResponse. */
export function writeResponse(res: ServerResponse, p: PlannedResponse): void {
  let body = statusForbidsBody(p.status) ? undefined : serialiseBody(p);
  // Flat [name, value, ...] array: the cheapest header form writeHead accepts.
  const headers: string[] = [];
  if (body !== undefined) {
    const ct = p.contentType === undefined ? JSON_MEDIA_TYPE : p.contentType;
    if (ct !== null) headers.push('Content-Type', ct);
    if (p.contentEncoding !== undefined) {
      body = p.contentEncoding === 'gzip' ? gzipSync(body) : brotliCompressSync(body);
      // Vary: the representation depends on Accept-Encoding (RFC 9110 §12.5.5).
      headers.push('Content-Encoding', p.contentEncoding, 'Vary', 'Accept-Encoding');
    }
    // Without Content-Length node falls back to chunked transfer coding for HTTP/1.1.
    if (p.chunked !== true) headers.push('Content-Length', String(body.length));
  }
  if (p.headers !== undefined) for (const [name, value] of p.headers) headers.push(name, value);
  // node sees this header and closes the connection once the response is sent.
  if (p.close === true) headers.push('Connection', 'close');
  res.writeHead(p.status, headers);
  if (body === undefined) res.end();
  else if (p.chunked === true) {
    res.write(body);
    res.end();
  } else res.end(body);
}

/**
 * The bytes of a complete HTTP/1.1 response written straight to a socket, for
 * the cases node's ServerResponse cannot express (a 204 with content, a reply
 * to a request node's parser rejected). Always `Connection: close`, so the
 * connection cannot be reused after bytes node does not account for.
 */
export function rawResponse(
  status: number,
  headers: ReadonlyArray<readonly [string, string]>,
  body: Buffer | undefined,
  opts: { chunked?: boolean } = {},
): Buffer {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\nDate: ${new Date().toUTCString()}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (body !== undefined && opts.chunked === true) head += 'Transfer-Encoding: chunked\r\n';
  else if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
  head += 'Connection: close\r\n\r\n';
  if (body === undefined) return Buffer.from(head, 'latin1');
  if (opts.chunked === true) {
    // chunk-size in hex, chunk, then the last-chunk and an empty trailer (RFC 9112 §7.1).
    return Buffer.concat([
      Buffer.from(head + body.length.toString(16) + '\r\n', 'latin1'),
      body,
      Buffer.from('\r\n0\r\n\r\n', 'latin1'),
    ]);
  }
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * Whether an Accept-Encoding field value accepts a content coding with a
 * non-zero weight, explicitly or through `*` (RFC 9110 §12.5.3). Coding names
 * are case-insensitive (RFC 9110 §8.4.1).
 */
export function acceptsEncoding(header: string | undefined, coding: ContentCoding): boolean {
  if (header === undefined) return false;
  let wildcard = false;
  for (const item of header.split(',')) {
    const [rawName = '', ...params] = item.split(';');
    const name = rawName.trim().toLowerCase();
    if (name !== coding && name !== '*') continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === 'q') q = Number(param.slice(eq + 1).trim());
    }
    const accepted = Number.isFinite(q) && q > 0;
    // An explicit entry for the coding overrides `*` (RFC 9110 §12.5.3).
    if (name === coding) return accepted;
    wildcard = accepted;
  }
  return wildcard;
}

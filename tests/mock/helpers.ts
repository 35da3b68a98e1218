/**
 * Shared helpers of the mock's own tests: a raw HTTP client (node:http, no
 * decompression, no URL normalisation), a raw-socket client, and one recipe per
 * documented (operation, status) response.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { createMockServer, type MockServer, type MockServerOptions } from '../../src/mock/server';
import type { OperationId } from '../../src/mock/mutants';

export const TOKENS = MOCK_IDENTITIES;
export const MAIN = MOCK_IDENTITIES.METAL_AUTH_TOKEN;

export interface Started {
  mock: MockServer;
  /** e.g. http://127.0.0.1:40123/metal/v1 */
  base: string;
  port: number;
}

export async function startMock(opts: MockServerOptions = {}): Promise<Started> {
  const mock = createMockServer(opts);
  const base = await mock.listen(0);
  return { mock, base, port: Number(new URL(base).port) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  ms: number;
}

export interface RawRequest {
  method?: string;
  /** Sent verbatim (no normalisation of `..` or percent-encoding). */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs?: number;
}

/** One request on its own connection; rejects on a transport error or timeout. */
export function rawRequest(port: number, r: RawRequest): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method ?? 'GET', path: r.path, headers: r.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), ms: Date.now() - started });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(r.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
    req.end(r.body);
  });
}

/** Writes bytes on a fresh socket and collects everything until the server closes it (or the timeout). */
export function rawSocket(port: number, bytes: Buffer | string, timeoutMs = 3000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('end', () => {
      closed = true;
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    });
    sock.write(bytes);
  });
}

export function authHeaders(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { 'X-Auth-Token': token };
}

export interface Recipe {
  op: OperationId;
  status: number;
  method: 'GET' | 'POST';
  /** Path below /metal/v1, given the mock (verify needs the current TOTP). */
  path: (mock: MockServer) => string;
  token?: string;
}

const currentTotp = (mock: MockServer): string => mock.state.currentTotp(mock.state.user('METAL_AUTH_TOKEN'));

/** How to provoke each of the 16 documented (operation, status) responses. */
export const RECIPES: readonly Recipe[] = [
  { op: 'findEnsureOtp', status: 204, method: 'POST', path: (m) => `/user/otp/verify/${currentTotp(m)}`, token: MAIN },
  { op: 'findEnsureOtp', status: 400, method: 'POST', path: () => '/user/otp/verify/not-a-code', token: MAIN },
  { op: 'findEnsureOtp', status: 401, method: 'POST', path: () => '/user/otp/verify/123456' },
  { op: 'findRecoveryCodes', status: 200, method: 'GET', path: () => '/user/otp/recovery-codes', token: MAIN },
  { op: 'findRecoveryCodes', status: 401, method: 'GET', path: () => '/user/otp/recovery-codes' },
  { op: 'findRecoveryCodes', status: 404, method: 'GET', path: () => '/user/otp/recovery-codes', token: TOKENS.METAL_AUTH_TOKEN_NO_2FA },
  { op: 'findRecoveryCodes', status: 422, method: 'GET', path: () => '/user/otp/recovery-codes', token: TOKENS.METAL_AUTH_TOKEN_2FA_PENDING },
  { op: 'regenerateCodes', status: 200, method: 'POST', path: () => '/user/otp/recovery-codes', token: MAIN },
  { op: 'regenerateCodes', status: 401, method: 'POST', path: () => '/user/otp/recovery-codes', token: 'not-a-token' },
  { op: 'regenerateCodes', status: 404, method: 'POST', path: () => '/user/otp/recovery-codes', token: TOKENS.METAL_AUTH_TOKEN_NO_2FA },
  { op: 'regenerateCodes', status: 422, method: 'POST', path: () => '/user/otp/recovery-codes', token: TOKENS.METAL_AUTH_TOKEN_2FA_PENDING },
  { op: 'receiveCodes', status: 204, method: 'POST', path: () => '/user/otp/sms/receive', token: TOKENS.METAL_AUTH_TOKEN_SMS },
  { op: 'receiveCodes', status: 400, method: 'POST', path: () => '/user/otp/sms/receive', token: TOKENS.METAL_AUTH_TOKEN_SMS_NO_PHONE },
  { op: 'receiveCodes', status: 401, method: 'POST', path: () => '/user/otp/sms/receive' },
  { op: 'receiveCodes', status: 422, method: 'POST', path: () => '/user/otp/sms/receive', token: TOKENS.METAL_AUTH_TOKEN_NO_2FA },
  { op: 'receiveCodes', status: 500, method: 'POST', path: () => '/user/otp/sms/receive', token: TOKENS.METAL_AUTH_TOKEN_SMS_FAILING },
];

export function runRecipe(s: Started, r: Recipe, extra: Partial<RawRequest> = {}): Promise<RawResponse> {
  return rawRequest(s.port, {
    method: r.method,
    path: `/metal/v1${r.path(s.mock)}`,
    headers: { ...authHeaders(r.token), ...extra.headers },
    ...(extra.timeoutMs !== undefined && { timeoutMs: extra.timeoutMs }),
  });
}

/** The decoded body text (gzip/br undone). */
export function decodedText(res: RawResponse): string {
  const enc = res.headers['content-encoding'];
  if (enc === 'gzip') return gunzipSync(res.body).toString('utf8');
  if (enc === 'br') return brotliDecompressSync(res.body).toString('utf8');
  return res.text;
}

/**
 * What a response looks like, minus what legitimately varies between two mock
 * instances: Date, and the random values of recovery codes.
 */
export function observe(res: RawResponse): Record<string, unknown> {
  let body: unknown = res.text;
  try {
    body = res.text === '' ? '' : JSON.parse(res.text);
  } catch {
    // not JSON: compare the raw text
  }
  if (typeof body === 'object' && body !== null && 'recovery_codes' in body) {
    const codes = (body as { recovery_codes: unknown }).recovery_codes;
    if (Array.isArray(codes)) body = { ...body, recovery_codes: codes.map((c) => (typeof c === 'string' ? '<code>' : c)) };
  }
  const h = res.headers;
  return {
    status: res.status,
    contentType: h['content-type'],
    contentLength: h['content-length'],
    transferEncoding: h['transfer-encoding'],
    contentEncoding: h['content-encoding'],
    allow: h['allow'],
    body,
  };
}

/** Runs a recipe and reports a transport failure as an observation instead of throwing. */
export async function observeRecipe(s: Started, r: Recipe, timeoutMs = 1500): Promise<Record<string, unknown>> {
  try {
    return observe(await runRecipe(s, r, { timeoutMs }));
  } catch (err) {
    return { transportError: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Shared helpers of the mock's own tests: a raw HTTP client (node:http, no
 * decompression, no URL normalisation), a raw-socket client, and one recipe per
 * documented (operation, status) response.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Secret, TOTP } from 'otpauth';
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

// The OTP operations of the main user (or `token`), for behaviour tests.

export const verify = (s: Started, otp: string, token: string = MAIN): Promise<RawResponse> =>
  rawRequest(s.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${otp}`, headers: authHeaders(token) });
export const listCodes = (s: Started, token: string = MAIN): Promise<RawResponse> =>
  rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(token) });
export const regenerateCodes = (s: Started, token: string = MAIN): Promise<RawResponse> =>
  rawRequest(s.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(token) });

/** `recovery_codes` of a 200 answer; [] for anything else (the caller asserts the shape where it matters). */
export function codesOf(res: RawResponse): string[] {
  try {
    const codes = (JSON.parse(res.text) as { recovery_codes?: unknown }).recovery_codes;
    return Array.isArray(codes) ? codes.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

/** The main user's TOTP (RFC 6238, HMAC-SHA1, 6 digits) with the given step length. */
export function mainTotp(periodSeconds = 30): TOTP {
  return new TOTP({ secret: Secret.fromBase32(MOCK_IDENTITIES.METAL_OTP_SECRET), algorithm: 'SHA1', digits: 6, period: periodSeconds });
}

/** The middle of a time step, so that ±1 step around it is unambiguous. */
export function middleOfStep(periodSeconds: number, at = Date.UTC(2030, 0, 1)): number {
  const period = periodSeconds * 1000;
  return Math.floor(at / period) * period + period / 2;
}

/** A well-formed code valid in no step within 5 periods of `at`, as the suite's `wrong-otp` generator picks it. */
export function certainlyWrongOtp(totp: TOTP, at: number): string {
  const nearby = new Set<string>();
  for (let d = -5; d <= 5; d++) nearby.add(totp.generate({ timestamp: at + d * totp.period * 1000 }));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!nearby.has(code)) return code;
  }
}

/** The malformed candidates the suite sends for `findEnsureOtp 400`, in its order. */
export const SUITE_MALFORMED_OTPS = ['12-4_6', 'abcdef', '1234567'] as const;

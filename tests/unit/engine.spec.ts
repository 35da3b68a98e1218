/** Engine and target pieces: URL building, retry timing, TOTP, redaction, media types, configuration errors. */
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { parseMediaType, bestMediaRange, bodyLocation } from '../../src/checks/http';
import { classifyTransportError, retryAfterMs, RequestGate, send } from '../../src/engine/http';
import { parseRaw } from '../../src/engine/raw-replay';
import { currentOtp, wrongOtp } from '../../src/engine/totp';
import { buildUrl } from '../../src/engine/url';
import { Redactor } from '../../src/report/redact';
import { ConfigError, readTargetConfig } from '../../src/target/config';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { ROOT } from '../helpers';

test('miss: a base URL path prefix is kept (URL resolution would drop /metal/v1)', () => {
  expect(buildUrl('http://h:1/metal/v1', '/user/otp/verify/{otp}', { otp: '123456' })).toBe('http://h:1/metal/v1/user/otp/verify/123456');
  expect(buildUrl('http://h:1/metal/v1/', 'user/otp/recovery-codes', {})).toBe('http://h:1/metal/v1/user/otp/recovery-codes');
  expect(buildUrl('http://h', '/x/{id}', { id: 'a/b c?' })).toBe('http://h/x/a%2Fb%20c%3F'); // RFC 6570 simple expansion
  expect(() => buildUrl('http://h', '/x/{id}', {})).toThrow('no value for path parameter {id}');
  expect(buildUrl('http://h', '/x/{id}', { id: "a!'()*" })).toBe('http://h/x/a%21%27%28%29%2A');
  expect(buildUrl('http://h', '/x/{id}/y', { id: '..' })).toBe('http://h/x/%2E%2E/y'); // not a dot-segment
});

test('Retry-After: delay-seconds and HTTP-date (RFC 9110 §10.2.3)', () => {
  expect(retryAfterMs('2')).toBe(2000);
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000);
  expect(retryAfterMs(undefined)).toBe(1000);
  expect(retryAfterMs('soon')).toBe(1000);
});

test('transport errors are classified', () => {
  expect(classifyTransportError('apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9').kind).toBe('connection_refused');
  expect(classifyTransportError('apiRequestContext._wrapApiCall: Timeout 800ms exceeded.').kind).toBe('timeout');
  expect(classifyTransportError('read ECONNRESET').kind).toBe('connection_reset');
  expect(classifyTransportError('getaddrinfo ENOTFOUND x.invalid').kind).toBe('dns');
  expect(classifyTransportError('self-signed certificate').kind).toBe('tls');
  expect(classifyTransportError('Parse Error: Data after `Connection: close`').kind).toBe('protocol');
});

test('the request gate stops at the budget and trips after 3 timeouts in a row', async () => {
  const gate = new RequestGate({ rateLimitPerSecond: 0, maxRequests: 2 });
  expect(await gate.acquire()).toBe(true);
  expect(await gate.acquire()).toBe(true);
  expect(await gate.acquire()).toBe(false);
  expect(gate.exhausted).toBe(true);
  const breaker = new RequestGate({ rateLimitPerSecond: 0, maxRequests: 0 });
  for (let i = 0; i < 2; i++) breaker.observe({ kind: 'timeout', message: '' });
  breaker.observe(null); // an answer resets the count
  for (let i = 0; i < 2; i++) breaker.observe({ kind: 'timeout', message: '' });
  expect(breaker.hung).toBe(false);
  breaker.observe({ kind: 'timeout', message: '' });
  expect(breaker.hung).toBe(true);
});

test('a wrong OTP is never valid in any nearby time step', () => {
  const secret = MOCK_IDENTITIES.METAL_OTP_SECRET;
  for (let t = 0; t < 200; t++) {
    const now = 1_700_000_000_000 + t * 30_000;
    const wrong = wrongOtp(secret, now);
    expect(wrong).toMatch(/^\d{6}$/);
    for (let step = -5; step <= 5; step++) expect(wrong).not.toBe(currentOtp(secret, now + step * 30_000));
  }
});

test('redaction masks secrets, their URL-encoded form, and not digits inside longer numbers', () => {
  const r = new Redactor();
  r.add('mock-app-2fa-7Qw3Rt9Zp2Lk', '123456', 'a/b c+d', 'ab');
  expect(r.redact('X-Auth-Token: mock-app-2fa-7Qw3Rt9Zp2Lk')).toBe('X-Auth-Token: moc…(redacted)');
  expect(r.redact('/verify/123456 at 1700000123456')).toBe('/verify/…(redacted) at 1700000123456');
  expect(r.redact('/verify/a%2Fb%20c%2Bd')).toBe('/verify/…(redacted)');
  expect(r.redact('ab abc')).toBe('ab abc'); // too short to be a secret
});

test('media types: case, parameters, quoted values, suffixes (RFC 9110 §8.3.1, RFC 6838 §4.2.8)', () => {
  expect(parseMediaType('Application/JSON; Charset="UTF-8"')).toEqual({ type: 'application', subtype: 'json', suffix: null, params: { charset: 'UTF-8' } });
  expect(parseMediaType('application/vnd.metal+json')?.suffix).toBe('json');
  expect(parseMediaType('json')).toBeNull();
  const json = parseMediaType('application/json; charset=utf-8')!;
  expect(bestMediaRange(['*/*', 'application/*', 'application/json'], json)).toBe('application/json');
  expect(bestMediaRange(['application/json; charset=utf-16'], json)).toBeNull();
  const v2 = parseMediaType('application/json; version=2')!;
  expect(bestMediaRange(['application/json', 'application/json; version=2'], v2)).toBe('application/json; version=2');
  expect(bodyLocation('/a~1b/0/c~0d')).toBe('body["a/b"][0]["c~d"]');
});

test('a raw response is split into status, headers and the bytes after the header section', () => {
  const raw = parseRaw(Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n{}'));
  expect(raw).toMatchObject({ status: 204, statusText: 'No Content', headers: [{ name: 'Content-Length', value: '2' }] });
  expect(raw?.trailing.toString()).toBe('{}');
  expect(parseRaw(Buffer.from('garbage'))).toBeNull();
});

test.describe('target configuration', () => {
  test('defaults to the embedded mock with its identities and writes allowed', () => {
    const c = readTargetConfig({ ENV_FILE: '/dev/null' }, ROOT);
    expect(c).toMatchObject({ kind: 'mock', embeddedMock: true, baseURL: 'http://127.0.0.1:4010/metal/v1', allowWrites: true, tags: ['OTPs'], rateLimitPerSecond: 0 });
    expect(c.identities.METAL_AUTH_TOKEN).toBe(MOCK_IDENTITIES.METAL_AUTH_TOKEN);
  });
  test('a real server is read-only, paced and bounded by default, and needs METAL_AUTH_TOKEN', () => {
    const c = readTargetConfig({ ENV_FILE: '/dev/null', BASE_URL: 'https://s.example/metal/v1/', METAL_AUTH_TOKEN: 't' }, ROOT);
    expect(c).toMatchObject({ kind: 'remote', embeddedMock: false, baseURL: 'https://s.example/metal/v1', allowWrites: false, rateLimitPerSecond: 5, maxRequests: 200 });
    expect(c.identities.METAL_AUTH_TOKEN_SMS).toBeUndefined(); // never the mock's tokens
  });
  test('every problem is reported at once, naming the setting', () => {
    let error: unknown;
    try {
      readTargetConfig({ ENV_FILE: '/dev/null', TARGET: 'prod', BASE_URL: 'ftp://x?y=1', ALLOW_WRITES: 'maybe', METAL_OTP_SECRET: 'not base32!', CONTRACT: 'nope.yaml' }, ROOT);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const part of ['TARGET=prod', 'only http and https', 'must not carry a query', 'ALLOW_WRITES=maybe', 'METAL_OTP_SECRET: not a base32', 'CONTRACT=nope.yaml: file not found', 'METAL_AUTH_TOKEN is required']) {
      expect(problems).toContain(part);
    }
  });
});

test.describe('framing forensics', () => {
  let server: net.Server;
  let port = 0;
  let received = 0;
  test.beforeAll(async () => {
    // A 204 and its forbidden content in one write: Node's parser rejects the message outright.
    server = net.createServer((socket) => {
      socket.once('data', () => {
        received++;
        socket.end('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  test.afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const policy = { requestTimeoutMs: 2000, rateLimitPerSecond: 0, maxRequests: 0, ignoreHttpsErrors: false };

  test('miss: a 204 with content in one write is replayed (GET) and shown to the checks as a body', async ({ request }) => {
    received = 0;
    const ex = await send(request, new RequestGate(policy), policy, { method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {} });
    expect(ex.error).toBeNull();
    expect(ex.response).toMatchObject({ status: 204 });
    expect(ex.response!.body.toString()).toBe('hello');
    expect(ex.note).toContain('raw replay');
    expect(received).toBe(2);
  });

  test('an unsafe method is never sent twice: the transport error carries the hint instead', async ({ request }) => {
    received = 0;
    const ex = await send(request, new RequestGate(policy), policy, { method: 'POST', url: `http://127.0.0.1:${port}/x`, headers: {} });
    expect(ex.response).toBeNull();
    expect(ex.error).toMatchObject({ kind: 'protocol' });
    expect(ex.error!.message).toContain('not replayed: POST is not a safe method');
    expect(received).toBe(1);
  });
});

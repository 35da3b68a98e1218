/** Engine and target pieces: request building, generated values, redaction, pacing, transport errors, settings. */
import http from 'node:http';
import net from 'node:net';
import { expect, test } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { classifyTransportError, RequestGate, retryAfterMs, send, type Clock } from '../../src/engine/http';
import { parseRaw } from '../../src/engine/raw-replay';
import { parseMediaType, bestMediaRange } from '../../src/checks/http';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { decodeJsonEscapes, MASK, Redactor } from '../../src/report/redact';
import { bodyPath } from '../../src/report/wording';
import { buildRequest, UnmetPrecondition, type RequestContext } from '../../src/scenarios/request';
import type { GeneratorDef } from '../../src/scenarios/types';
import type { OperationSpec, ParameterSpec } from '../../src/contract/model';
import { fresh, generate, INVALID_CODE_MARGIN_STEPS, untilNextPeriod } from '../../src/scenarios/values';
import { ConfigError, readSettings } from '../../src/settings/config';
import { fixture, loaded, ROOT, type Loaded } from '../helpers';

let otp: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
});

function requestContext(l: Loaded, values: Record<string, string> = { TOKEN: 'tok-123456789' }): RequestContext {
  return {
    identities: { TOKEN: { purpose: 'a user' }, SECRET: { purpose: 'a generator secret', credential: false } },
    values,
    generators: {},
    saved: new Map(),
    secretParameters: () => false,
    invalidCredential: 'invalid-x',
    validators: l.validators,
    now: () => 1_700_000_000_000,
  };
}

const op = (l: Loaded, id: string) => l.plan.operations.find((o) => o.operationId === id)!;

test.describe('building requests', () => {
  test('miss: a base URL path prefix is kept (URL resolution would drop /metal/v1)', () => {
    const r = buildRequest(op(otp, 'findRecoveryCodes'), 'http://h:1/metal/v1/', {}, 'TOKEN', requestContext(otp));
    expect(r.url).toBe('http://h:1/metal/v1/user/otp/recovery-codes');
    expect(r.headers).toContainEqual({ name: 'X-Auth-Token', value: 'tok-123456789' });
    expect(r.credential).toBe('valid');
  });
  test('path values are percent-encoded as RFC 6570 simple expansion (RFC 3986 §2.1)', () => {
    const url = (v: string) => buildRequest(op(otp, 'findEnsureOtp'), 'http://h', { path: { otp: v } }, 'TOKEN', requestContext(otp)).url;
    expect(url('a/b c?')).toBe('http://h/user/otp/verify/a%2Fb%20c%3F');
    expect(url("a!'()*")).toBe('http://h/user/otp/verify/a%21%27%28%29%2A');
    expect(url('%2e%2e')).toBe('http://h/user/otp/verify/%252e%252e');
  });
  test('miss: a path value of "." or ".." went out as another resource: it is refused, naming the rule', () => {
    for (const v of ['.', '..']) {
      expect(() => buildRequest(op(otp, 'findEnsureOtp'), 'http://h', { path: { otp: v } }, 'TOKEN', requestContext(otp))).toThrow(/URL normalisation removes \(RFC 3986 §5\.2\.4\)/);
    }
    expect(() => buildRequest(op(otp, 'findEnsureOtp'), 'http://h', { path: { otp: '..' } }, 'TOKEN', requestContext(otp))).toThrow(UnmetPrecondition);
  });
  test('no credential and an unknown credential', () => {
    const none = buildRequest(op(otp, 'findRecoveryCodes'), 'http://h', {}, 'none', requestContext(otp));
    expect(none.headers.map((h) => h.name)).not.toContain('X-Auth-Token');
    expect(none.credential).toBe('missing');
    const invalid = buildRequest(op(otp, 'findRecoveryCodes'), 'http://h', {}, 'invalid', requestContext(otp));
    expect(invalid.headers).toContainEqual({ name: 'X-Auth-Token', value: 'invalid-x' });
    expect(invalid.credential).toBe('invalid');
  });
  test('a missing identity value is a precondition, not a failure', () => {
    expect(() => buildRequest(op(otp, 'findRecoveryCodes'), 'http://h', {}, 'TOKEN', requestContext(otp, {}))).toThrow('needs TOKEN');
  });
});

test.describe('parameter serialisation (OpenAPI 3.0 §4.7.12.4, RFC 6570)', () => {
  const param = (name: string, where: ParameterSpec['in'], style: string, explode: boolean): ParameterSpec => ({ name, in: where, required: false, schema: null, style, explode });
  const operation = (parameters: ParameterSpec[]): OperationSpec => ({
    operationId: 'op',
    method: 'GET',
    path: '/items',
    tags: [],
    summary: '',
    parameters,
    requestBody: null,
    security: [],
    responses: [{ status: '200', description: '', content: [{ mediaType: 'application/json', schema: null }], headers: [] }],
  });
  const built = (p: ParameterSpec, value: unknown) => buildRequest(operation([p]), 'http://h', { [p.in === 'query' ? 'query' : 'headers']: { [p.name]: value } }, 'none', requestContext(otp));

  test('miss: list and object query values went out with their delimiters percent-encoded, so a server saw one value', () => {
    expect(built(param('ids', 'query', 'form', true), ['a b', 'c,d']).url).toBe('http://h/items?ids=a%20b&ids=c%2Cd');
    expect(built(param('ids', 'query', 'form', false), ['a', 'b']).url).toBe('http://h/items?ids=a,b');
    expect(built(param('ids', 'query', 'spaceDelimited', false), ['a', 'b']).url).toBe('http://h/items?ids=a%20b');
    expect(built(param('ids', 'query', 'pipeDelimited', false), ['a', 'b']).url).toBe('http://h/items?ids=a|b');
    expect(built(param('f', 'query', 'deepObject', true), { min: 1, max: 'x&y' }).url).toBe('http://h/items?f%5Bmin%5D=1&f%5Bmax%5D=x%26y');
    expect(built(param('f', 'query', 'form', true), { min: 1, max: 2 }).url).toBe('http://h/items?min=1&max=2');
    expect(built(param('f', 'query', 'form', false), { min: 1, max: 2 }).url).toBe('http://h/items?f=min,1,max,2');
  });
  test('headers: style simple, lists comma-joined, objects as k,v or (explode) k=v; Accept names the documented media types', () => {
    const value = (r: ReturnType<typeof built>, name: string) => r.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    expect(value(built(param('X-Ids', 'header', 'simple', false), ['a', 'b']), 'X-Ids')).toBe('a,b');
    expect(value(built(param('X-F', 'header', 'simple', false), { a: 1, b: 2 }), 'X-F')).toBe('a,1,b,2');
    expect(value(built(param('X-F', 'header', 'simple', true), { a: 1, b: 2 }), 'X-F')).toBe('a=1,b=2');
    expect(value(built(param('X-Ids', 'header', 'simple', false), ['a']), 'accept')).toBe('application/json');
  });
});

test('on the wire: path values keep their exact bytes, and a dot segment is never sent', async ({ request }) => {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(401, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/metal/v1`;
  const policy = { requestTimeoutMs: 5000, rateLimitPerSecond: 0, maxRequests: 0, ignoreHttpsErrors: false };
  const values = ['a/b', 'a b', 'ä€', '%2e%2e', '.hidden', 'a..b', '...', "it's(1)*"];
  try {
    for (const value of values) {
      const built = buildRequest(op(otp, 'findEnsureOtp'), base, { path: { otp: value } }, 'none', requestContext(otp));
      await send(request, new RequestGate(policy), policy, { method: built.method, url: built.url, headers: built.headers });
    }
    for (const value of ['.', '..']) {
      expect(() => buildRequest(op(otp, 'findEnsureOtp'), base, { path: { otp: value } }, 'none', requestContext(otp))).toThrow(UnmetPrecondition);
    }
  } finally {
    server.close();
  }
  // What the server read is what RFC 3986 §2.1 encoding of each value gives, byte for byte; nothing else arrived.
  expect(received).toEqual(values.map((v) => `/metal/v1/user/otp/verify/${encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`));
});

test.describe('generated codes (RFC 6238)', () => {
  const def: GeneratorDef = { rfc6238: { secret: 'S', digits: 6, period: 30, algorithm: 'SHA1' } };
  const secret = MOCK_IDENTITIES.METAL_OTP_SECRET;
  test('the codes are RFC 6238 Appendix B\'s test vectors (SHA1, SHA256, SHA512; 8 digits)', () => {
    const secrets = {
      SHA1: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
      SHA256: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====',
      SHA512: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=',
    } as const;
    const vectors: Array<[number, string, string, string]> = [
      [59, '94287082', '46119246', '90693936'],
      [1111111109, '07081804', '68084774', '25091201'],
      [1234567890, '89005924', '91819424', '93441116'],
      [20000000000, '65353130', '77737706', '47863826'],
    ];
    for (const [seconds, sha1, sha256, sha512] of vectors) {
      for (const [algorithm, expected] of [['SHA1', sha1], ['SHA256', sha256], ['SHA512', sha512]] as const) {
        expect(generate({ rfc6238: { secret: 'S', digits: 8, period: 30, algorithm } }, secrets[algorithm], seconds * 1000).value, `${algorithm} at ${seconds}`).toBe(expected);
      }
    }
  });
  test('the same codes as the mock\'s library (otpauth) for the mock user', () => {
    const library = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    for (let t = 0; t < 50; t++) {
      const now = 1_700_000_000_000 + t * 31_000;
      expect(generate(def, secret, now).value).toBe(library.generate({ timestamp: now }));
    }
  });
  test('an invalid code is valid in no step within the margin, and is not a secret', () => {
    for (let t = 0; t < 200; t++) {
      const now = 1_700_000_000_000 + t * 30_000;
      const wrong = generate({ ...def, pick: 'invalid' }, secret, now);
      expect(wrong.secret).toBe(false);
      expect(wrong.value).toMatch(/^\d{6}$/);
      for (let step = -INVALID_CODE_MARGIN_STEPS; step <= INVALID_CODE_MARGIN_STEPS; step++) expect(wrong.value).not.toBe(generate(def, secret, now + step * 30_000).value);
    }
  });
  test('the wait for the next time step', () => {
    expect(untilNextPeriod(def, 1_700_000_020_000)).toBe(20_000);
    expect(untilNextPeriod({ rfc6238: { secret: 'S', period: 2 } }, 1_000_001)).toBe(1999);
  });
});

test('miss: a fresh value for a bounded parameter (maximum 100, maxLength 8) broke its own schema, so the request was never sent', () => {
  for (let i = 0; i < 200; i++) {
    const n = fresh('true', { type: 'integer', minimum: 1, maximum: 100 }) as number;
    expect(n >= 1 && n <= 100 && Number.isInteger(n), String(n)).toBe(true);
    // OpenAPI 3.0 §4.7.24 exclusive bounds are booleans; JSON Schema's are numbers.
    const e = fresh('true', { type: 'integer', minimum: 0, maximum: 10, exclusiveMinimum: true, exclusiveMaximum: true }) as number;
    expect(e > 0 && e < 10, String(e)).toBe(true);
    const j = fresh('true', { type: 'integer', exclusiveMaximum: 5 }) as number;
    expect(j < 5, String(j)).toBe(true);
    const m = fresh('true', { type: 'integer', minimum: 10, maximum: 100, multipleOf: 7 }) as number;
    expect(m % 7 === 0 && m >= 10 && m <= 100, String(m)).toBe(true);
    const x = fresh('true', { type: 'number', minimum: 0.5, maximum: 1.5 }) as number;
    expect(x >= 0.5 && x <= 1.5, String(x)).toBe(true);
  }
  expect((fresh('true', { type: 'string', maxLength: 8 }) as string).length).toBe(8);
  expect((fresh('true', { type: 'string', minLength: 40 }) as string).length).toBeGreaterThanOrEqual(40);
  expect(fresh('true', { type: 'string', maxLength: 8 })).not.toBe(fresh('true', { type: 'string', maxLength: 8 }));
  expect(fresh('true', { type: 'integer' })).toBeGreaterThanOrEqual(100_000);
});

test.describe('redaction', () => {
  test('masks secrets in full, in their percent-encoded forms and behind JSON escapes, never digits inside longer numbers', () => {
    const r = new Redactor();
    r.add('mock-app-2fa-7Qw3Rt9Zp2Lk', '123456', 'a/b c+d', 'é-code', 'ab');
    expect(r.redact('X-Auth-Token: mock-app-2fa-7Qw3Rt9Zp2Lk')).toBe(`X-Auth-Token: ${MASK}`);
    expect(r.redact('/verify/123456 at 1700000123456')).toBe(`/verify/${MASK} at 1700000123456`);
    expect(r.redact('/verify/a%2Fb%20c%2Bd')).toBe(`/verify/${MASK}`);
    expect(r.redact(decodeJsonEscapes('"\\u00e9-code"'))).toBe(`"${MASK}"`);
    expect(r.redact('ab abc')).toBe('ab abc'); // too short to mask as free text
  });
  test('miss: a value written with JSON \\u escapes showed unmasked in a body that is not JSON', () => {
    expect(decodeJsonEscapes('{"recovery_codes": ["\\u0061bc-def-ghi", ')).toBe('{"recovery_codes": ["abc-def-ghi", ');
  });
});

test.describe('pacing and retries (virtual clock: no test waits or times anything)', () => {
  function virtualClock(): Clock & { slept: number[] } {
    let now = 0;
    const slept: number[] = [];
    return { slept, now: () => now, sleep: async (ms) => void (slept.push(ms), (now += ms)) };
  }
  test('requests are paced at RATE_LIMIT_RPS', async () => {
    const clock = virtualClock();
    const gate = new RequestGate({ rateLimitPerSecond: 5, maxRequests: 0 }, clock);
    for (let i = 0; i < 4; i++) await gate.acquire();
    expect(clock.slept).toEqual([200, 200, 200]);
  });
  test('the budget stops requests, and 3 timeouts in a row trip the breaker', async () => {
    const gate = new RequestGate({ rateLimitPerSecond: 0, maxRequests: 2 });
    expect(await gate.acquire()).toBe(true);
    expect(await gate.acquire()).toBe(true);
    expect(await gate.acquire()).toBe(false);
    const breaker = new RequestGate({ rateLimitPerSecond: 0, maxRequests: 0 });
    for (let i = 0; i < 2; i++) breaker.observe({ kind: 'timeout', message: '' });
    breaker.observe(null); // an answer resets the count
    for (let i = 0; i < 2; i++) breaker.observe({ kind: 'timeout', message: '' });
    expect(breaker.hung).toBe(false);
    breaker.observe({ kind: 'timeout', message: '' });
    expect(breaker.hung).toBe(true);
  });
  test('a 429 is retried after Retry-After (RFC 9110 §10.2.3, RFC 6585 §4)', async ({ request }) => {
    let calls = 0;
    const server = http.createServer((_, res) => {
      calls++;
      if (calls < 3) res.writeHead(429, { 'retry-after': '2' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const clock = virtualClock();
    try {
      const port = (server.address() as net.AddressInfo).port;
      const policy = { requestTimeoutMs: 5000, rateLimitPerSecond: 0, maxRequests: 0, ignoreHttpsErrors: false };
      const ex = await send(request, new RequestGate(policy, clock), policy, { method: 'GET', url: `http://127.0.0.1:${port}/`, headers: [] });
      expect(ex.response?.status).toBe(200);
      expect(clock.slept).toEqual([2000, 2000]);
    } finally {
      server.close();
    }
  });
  test('Retry-After: delay-seconds and HTTP-date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', Date.parse('2026-01-01T00:00:00Z'))).toBe(3000);
    expect(retryAfterMs(undefined)).toBe(1000);
    expect(retryAfterMs('soon')).toBe(1000);
  });
});

test('transport errors are classified', () => {
  expect(classifyTransportError('apiRequestContext.fetch: connect ECONNREFUSED 127.0.0.1:9').kind).toBe('connection_refused');
  expect(classifyTransportError('apiRequestContext.fetch: Timeout 800ms exceeded.').kind).toBe('timeout');
  expect(classifyTransportError('read ECONNRESET').kind).toBe('connection_reset');
  expect(classifyTransportError('getaddrinfo ENOTFOUND x.invalid').kind).toBe('dns');
  expect(classifyTransportError('self-signed certificate').kind).toBe('tls');
  expect(classifyTransportError('Parse Error: Data after `Connection: close`').kind).toBe('protocol');
});

test('media types and JSON locations (RFC 9110 §8.3.1, RFC 6838 §4.2.8, RFC 6901)', () => {
  expect(parseMediaType('Application/JSON; Charset="UTF-8"')).toEqual({ type: 'application', subtype: 'json', suffix: null, params: { charset: 'UTF-8' } });
  expect(parseMediaType('application/vnd.metal+json')?.suffix).toBe('json');
  const json = parseMediaType('application/json; charset=utf-8')!;
  expect(bestMediaRange(['*/*', 'application/*', 'application/json'], json)).toBe('application/json');
  expect(bestMediaRange(['application/json; charset=utf-16'], json)).toBeNull();
  expect(bodyPath('/a~1b/0/c~0d')).toBe('body["a/b"][0]["c~d"]');
});

test('a raw response is split into status, headers and the bytes after the header section', () => {
  const raw = parseRaw(Buffer.from('HTTP/1.1 204 No Content\r\nContent-Length: 2\r\n\r\n{}'));
  expect(raw).toMatchObject({ status: 204, statusText: 'No Content', headers: [{ name: 'Content-Length', value: '2' }] });
  expect(raw?.trailing.toString()).toBe('{}');
  expect(parseRaw(Buffer.from('garbage'))).toBeNull();
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
  const policy = { requestTimeoutMs: 5000, rateLimitPerSecond: 0, maxRequests: 0, ignoreHttpsErrors: false };

  test('miss: a 204 with content in one write is replayed (GET) and shown to the checks as a body', async ({ request }) => {
    received = 0;
    const ex = await send(request, new RequestGate(policy), policy, { method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: [] });
    expect(ex.error).toBeNull();
    expect(ex.response!.body.toString()).toBe('hello');
    expect(ex.note).toContain('raw replay');
    expect(received).toBe(2);
  });
  test('an unsafe method is never sent twice: the transport error carries the hint instead', async ({ request }) => {
    received = 0;
    const ex = await send(request, new RequestGate(policy), policy, { method: 'POST', url: `http://127.0.0.1:${port}/x`, headers: [] });
    expect(ex.response).toBeNull();
    expect(ex.error!.message).toContain('not replayed: POST is not a safe method');
    expect(received).toBe(1);
  });
});

test.describe('settings', () => {
  test('default to the embedded mock, on any free port, with writes allowed', () => {
    const s = readSettings({ ENV_FILE: '/dev/null' }, ROOT);
    expect(s).toMatchObject({ kind: 'mock', embeddedMock: true, mockPort: 0, allowWrites: true, tags: [], rateLimitPerSecond: 0 });
    expect(s.contractFile).toMatch(/contracts\/metal-otp\.openapi\.yaml$/);
    expect(s.recipesFile).toMatch(/contracts\/metal-otp\.recipes\.yaml$/);
  });
  test('a real server is read-only, paced and bounded by default', () => {
    const s = readSettings({ ENV_FILE: '/dev/null', BASE_URL: 'https://s.example/metal/v1/' }, ROOT);
    expect(s).toMatchObject({ kind: 'remote', embeddedMock: false, baseURL: 'https://s.example/metal/v1', allowWrites: false, rateLimitPerSecond: 5, maxRequests: 200 });
  });
  test('every problem is reported at once, naming the setting, with a suggestion for a near miss', () => {
    let error: unknown;
    try {
      readSettings({ ENV_FILE: '/dev/null', TARGET: 'mokc', BASE_URL: 'ftp://x?y=1', ALLOW_WRITES: 'maybe', CONTRACT: 'nope.yaml' }, ROOT);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.startsWith('Configuration problems (nothing was run):')).toBe(true);
    for (const part of ['TARGET=mokc: expected "mock" or "remote" (did you mean "mock"?)', 'only http and https', 'must not carry a query', 'ALLOW_WRITES=maybe', 'CONTRACT=nope.yaml: file not found']) {
      expect(message).toContain(part);
    }
  });
  test('RECIPES= runs only what the contract itself implies', () => {
    expect(readSettings({ ENV_FILE: '/dev/null', RECIPES: '' }, ROOT).recipesFile).toBeNull();
    expect(readSettings({ ENV_FILE: '/dev/null', CONTRACT: fixture('semantics.openapi.yaml') }, ROOT).recipesFile).toBeNull();
  });
});

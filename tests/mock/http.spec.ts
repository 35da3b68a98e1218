import * as http from 'node:http';
import { test, expect } from '@playwright/test';
import { MAIN, authHeaders, rawRequest, rawSocket, startMock, type Started } from './helpers';

let s: Started;

test.beforeAll(async () => {
  s = await startMock({ requestTimeoutMs: 400 });
});
test.afterAll(async () => {
  await s.mock.close();
});

async function expectStillServing(): Promise<void> {
  const res = await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
  expect(res.status).toBe(200);
}

function expectJsonError(res: { status: number; headers: http.IncomingHttpHeaders; text: string }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/json');
  expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
}

test('unknown paths are 404 JSON errors, before authentication', async () => {
  for (const path of [
    '/',
    '/metal/v1',
    '/metal/v1/',
    '/metal/v1/user/otp',
    '/metal/v1/user/otp/recovery-codes/',
    '/metal/v1/user/otp/recovery-codes/x',
    '/metal/v1//user/otp/recovery-codes',
    '/metal/v2/user/otp/recovery-codes',
    '/METAL/v1/user/otp/recovery-codes',
    '/metal/v1/user/otp/verify/',
    '/metal/v1/user/otp/verify/1/2',
    '/metal/v1/user/otp/recovery%2Fcodes',
    '/user/otp/recovery-codes',
    '/_mock/nope',
  ]) {
    expectJsonError(await rawRequest(s.port, { path, headers: authHeaders(MAIN) }), 404);
  }
  await expectStillServing();
});

test('a known path with the wrong method is 405 with Allow', async () => {
  const cases: [string, string, string][] = [
    ['DELETE', '/metal/v1/user/otp/recovery-codes', 'GET, HEAD, POST'],
    ['PUT', '/metal/v1/user/otp/recovery-codes', 'GET, HEAD, POST'],
    ['GET', '/metal/v1/user/otp/verify/123456', 'POST'],
    ['GET', '/metal/v1/user/otp/sms/receive', 'POST'],
    ['PATCH', '/metal/v1/user/otp/sms/receive', 'POST'],
  ];
  for (const [method, path, allow] of cases) {
    const res = await rawRequest(s.port, { method, path, headers: authHeaders(MAIN) });
    expectJsonError(res, 405);
    expect(res.headers['allow']).toBe(allow);
  }
  // Methods are case-sensitive: `get` is not GET.
  const lower = await rawSocket(s.port, 'get /metal/v1/user/otp/recovery-codes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(lower.text).toMatch(/^HTTP\/1\.1 (400|405) /);
  await expectStillServing();
});

test('HEAD answers like GET without content', async () => {
  const res = await rawRequest(s.port, { method: 'HEAD', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.body.length).toBe(0);
});

test('query strings are ignored and percent-encoded unreserved characters route alike', async () => {
  for (const path of ['/metal/v1/user/otp/recovery-codes?x=1&y', '/metal/v1/user/otp/recovery%2Dcodes', '/metal/v1/user/%6Ftp/recovery-codes?']) {
    expect((await rawRequest(s.port, { path, headers: authHeaders(MAIN) })).status, path).toBe(200);
  }
});

test('malformed percent-encoding, invalid UTF-8 and path traversal never match a route', async () => {
  for (const path of [
    '/metal/v1/user/otp/verify/%zz',
    '/metal/v1/user/otp/verify/%',
    '/metal/v1/user/otp/verify/%C3%28',
    '/metal/v1/user/otp/verify/%FF%FE',
    '/metal/v1/user/otp/%E0%A4%A',
    '/metal/v1/user/otp/../otp/recovery-codes',
    '/metal/v1/user/otp/%2e%2e/otp/recovery-codes',
    '/metal/v1/user/otp/%2E%2E/otp/recovery-codes',
    '/metal/v1/user/otp/./recovery-codes',
    '/metal/v1/user/otp/verify/..',
    '/_mock/../metal/v1/user/otp/recovery-codes',
  ]) {
    const res = await rawRequest(s.port, { method: 'POST', path, headers: authHeaders(MAIN) });
    expect([400, 404], path).toContain(res.status);
    expectJsonError(res, res.status);
  }
  // Raw non-ASCII octets in the request-target.
  const raw = await rawSocket(
    s.port,
    Buffer.concat([
      Buffer.from('POST /metal/v1/user/otp/verify/'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(` HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${MAIN}\r\nConnection: close\r\n\r\n`),
    ]),
  );
  expect(raw.text).toMatch(/^HTTP\/1\.1 400 /);
  expect(raw.text).toContain('application/json');
  await expectStillServing();
});

test('a body over 64 KiB is refused with 413 (declared or chunked)', async () => {
  const big = Buffer.alloc(100 * 1024, 'a');
  const declared = await rawRequest(s.port, {
    method: 'POST',
    path: '/metal/v1/user/otp/recovery-codes',
    headers: { ...authHeaders(MAIN), 'Content-Type': 'application/json' },
    body: big,
  });
  expectJsonError(declared, 413);
  expect(declared.headers['connection']).toBe('close');

  const chunked = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: s.port,
        method: 'POST',
        path: '/metal/v1/user/otp/sms/receive',
        headers: { ...authHeaders(MAIN), 'Transfer-Encoding': 'chunked' },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    for (let i = 0; i < 10; i++) req.write(Buffer.alloc(8 * 1024, 'b'));
    req.end();
  });
  expect(chunked.status).toBe(413);
  expect(JSON.parse(chunked.text)).toEqual({ error: expect.any(String) });

  // A body under the limit is ignored.
  const small = await rawRequest(s.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN), body: '{"x":1}' });
  expect(small.status).toBe(200);
  await expectStillServing();
});

test('headers over 16 KiB get a JSON 431 and the server keeps serving', async () => {
  const res = await rawSocket(
    s.port,
    `GET /metal/v1/user/otp/recovery-codes HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${MAIN}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  );
  expect(res.text).toMatch(/^HTTP\/1\.1 431 /);
  expect(res.text).toContain('Content-Type: application/json');
  expect(res.text).toContain('{"error":"Request header fields too large"}');
  expect(res.closed).toBe(true);
  // Also through node's HTTP client.
  const viaClient = await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: { 'X-Big': 'b'.repeat(20_000) } });
  expectJsonError(viaClient, 431);
  await expectStillServing();
});

test('a request node cannot parse gets a JSON 400', async () => {
  const res = await rawSocket(s.port, 'THIS IS NOT HTTP\r\n\r\n');
  expect(res.text).toMatch(/^HTTP\/1\.1 400 /);
  expect(res.text).toContain('{"error":"Bad request"}');
  await expectStillServing();
});

test('a slow client is cut off with 408 after requestTimeoutMs', async () => {
  // Headers never finish; the socket's own timeout (5 s) is far beyond the server's, so a 408 can only come from the server.
  const res = await rawSocket(s.port, 'GET /metal/v1/user/otp/recovery-codes HTTP/1.1\r\nHost: x\r\n', 5000);
  expect(res.closed).toBe(true);
  expect(res.text).toMatch(/^HTTP\/1\.1 408 /);
  await expectStillServing();
});

test('a client aborting mid-body does not crash the server', async () => {
  await new Promise<void>((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: s.port,
      method: 'POST',
      path: '/metal/v1/user/otp/recovery-codes',
      headers: { ...authHeaders(MAIN), 'Content-Length': '5000' },
      agent: false,
    });
    req.on('error', () => resolve());
    req.write('abc');
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 50);
  });
  await expectStillServing();
});

test('a throwing handler answers a JSON 500 and the server keeps serving', async () => {
  const errors: unknown[] = [];
  const t = await startMock({ onError: (e) => errors.push(e) });
  try {
    const original = t.mock.state.listRecoveryCodes.bind(t.mock.state);
    t.mock.state.listRecoveryCodes = () => {
      throw new Error('boom');
    };
    const res = await rawRequest(t.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
    expectJsonError(res, 500);
    expect(res.text).not.toContain('boom');
    expect(errors).toHaveLength(1);
    t.mock.state.listRecoveryCodes = original;
    expect((await rawRequest(t.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) })).status).toBe(200);
  } finally {
    await t.mock.close();
  }
});

test('keep-alive: many requests on one connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 20; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: s.port, path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN), agent },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
    }
  } finally {
    agent.destroy();
  }
});

test('close() resolves and the port stops answering', async () => {
  const t = await startMock();
  await t.mock.close();
  await expect(rawRequest(t.port, { path: '/_mock/health', timeoutMs: 1000 })).rejects.toThrow();
});

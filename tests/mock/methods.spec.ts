/**
 * Undocumented methods on the documented paths, as the suite's coverage phase
 * sends them with the main user's token: two mutants (a DELETE that succeeds,
 * a 405 without Allow) and two conforming variants (404 and 501 instead of 405).
 */
import { test, expect } from '@playwright/test';
import { MAIN, TOKENS, authHeaders, codesOf, listCodes, observe, rawRequest, startMock, verify, type RawResponse, type Started } from './helpers';

/** Every documented path with the methods the contract does not document on it (HEAD where GET is undocumented too). */
const UNDOCUMENTED: readonly { path: string; allow: string; methods: readonly string[] }[] = [
  { path: '/metal/v1/user/otp/verify/123456', allow: 'POST', methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'] },
  { path: '/metal/v1/user/otp/recovery-codes', allow: 'GET, HEAD, POST', methods: ['PUT', 'PATCH', 'DELETE'] },
  { path: '/metal/v1/user/otp/sms/receive', allow: 'POST', methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE'] },
];

async function withMock(mutant: string, fn: (s: Started) => Promise<void>): Promise<void> {
  const s = await startMock({ mutant });
  try {
    await fn(s);
  } finally {
    await s.mock.close();
  }
}

const send = (s: Started, method: string, path: string, token?: string): Promise<RawResponse> =>
  rawRequest(s.port, { method, path, headers: authHeaders(token) });

/** A JSON Error, except for HEAD, whose answer never has content (RFC 9110 §9.3.2). */
function expectError(res: RawResponse, status: number, method: string, label: string): void {
  expect(res.status, label).toBe(status);
  if (method === 'HEAD') expect(res.body.length, label).toBe(0);
  else expect(JSON.parse(res.text), label).toEqual({ error: expect.any(String) });
}

test.describe('undocumented-delete-succeeds', () => {
  test('DELETE on the recovery codes with a valid token is a 204 that changes nothing; without one it is a 401', async () => {
    await withMock('undocumented-delete-succeeds', async (s) => {
      const codes = codesOf(await listCodes(s));
      for (const token of [MAIN, TOKENS.METAL_AUTH_TOKEN_SMS, TOKENS.METAL_AUTH_TOKEN_NO_2FA]) {
        const res = await send(s, 'DELETE', '/metal/v1/user/otp/recovery-codes', token);
        expect(res.status).toBe(204);
        expect(res.body.length).toBe(0);
      }
      // "As if it did something": the codes are all still there and still work.
      expect(codesOf(await listCodes(s))).toEqual(codes);
      expect((await verify(s, codes[0]!)).status).toBe(204);
      for (const token of [undefined, 'not-a-token']) {
        const res = await send(s, 'DELETE', '/metal/v1/user/otp/recovery-codes', token);
        expectError(res, 401, 'DELETE', `token ${token ?? 'missing'}`);
        expect(res.headers['content-type']).toBe('application/json');
      }
    });
  });

  test('every other undocumented method, DELETE elsewhere included, still gets 405 with Allow', async () => {
    await withMock('undocumented-delete-succeeds', async (s) => {
      for (const { path, allow, methods } of UNDOCUMENTED) {
        for (const method of methods) {
          if (method === 'DELETE' && path.endsWith('/recovery-codes')) continue;
          const res = await send(s, method, path, MAIN);
          expectError(res, 405, method, `${method} ${path}`);
          expect(res.headers['allow'], `${method} ${path}`).toBe(allow);
        }
      }
    });
  });
});

test.describe('verify-405-without-allow', () => {
  test('the 405s on the verify path carry no Allow; those on the other paths still do', async () => {
    await withMock('verify-405-without-allow', async (s) => {
      for (const { path, allow, methods } of UNDOCUMENTED) {
        const onVerify = path.includes('/verify/');
        for (const method of methods) {
          const res = await send(s, method, path, MAIN);
          expectError(res, 405, method, `${method} ${path}`);
          expect(res.headers['allow'], `${method} ${path}`).toBe(onVerify ? undefined : allow);
        }
      }
      // The documented method is untouched.
      expect((await verify(s, s.mock.state.currentTotp(s.mock.state.user('METAL_AUTH_TOKEN')))).status).toBe(204);
    });
  });
});

for (const [variant, status] of [
  ['undocumented-method-404', 404],
  // RFC 9110 §15.6.2: the server does not support the functionality the request needs.
  ['undocumented-method-501', 501],
] as const) {
  test.describe(variant, () => {
    test(`every undocumented method on a documented path gets a JSON ${status} without Allow, never a success`, async () => {
      await withMock(variant, async (s) => {
        for (const { path, methods } of UNDOCUMENTED) {
          for (const method of methods) {
            for (const token of [MAIN, undefined]) {
              const res = await send(s, method, path, token);
              expectError(res, status, method, `${method} ${path}`);
              // Allow belongs to a 405 (RFC 9110 §15.5.6); on a 404 or 501 it is not required, and not sent.
              expect(res.headers['allow'], `${method} ${path}`).toBeUndefined();
              if (method !== 'HEAD') expect(res.headers['content-type']).toBe('application/json');
            }
          }
        }
      });
    });

    test('documented methods, unknown paths and the admin endpoints answer as before', async () => {
      const normal = await startMock();
      try {
        await withMock(variant, async (s) => {
          for (const [method, path] of [
            ['GET', '/metal/v1/user/otp/recovery-codes'],
            ['HEAD', '/metal/v1/user/otp/recovery-codes'],
            ['POST', '/metal/v1/user/otp/sms/receive'],
            ['POST', '/metal/v1/user/otp/verify/not-a-code'],
            ['GET', '/metal/v1/user/otp/nope'],
            ['DELETE', '/metal/v1/user/otp/nope'],
          ] as const) {
            const [want, got] = [observe(await send(normal, method, path, MAIN)), observe(await send(s, method, path, MAIN))];
            // Recovery codes are random per mock; observe() masks their values.
            expect(got, `${method} ${path}`).toEqual(want);
          }
          // Outside /metal/v1: the admin endpoint keeps its 405 with Allow.
          const admin = await send(s, 'GET', '/_mock/reset');
          expect(admin.status).toBe(405);
          expect(admin.headers['allow']).toBe('POST');
        });
      } finally {
        await normal.mock.close();
      }
    });
  });
}

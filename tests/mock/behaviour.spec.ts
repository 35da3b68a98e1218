import { test, expect } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { MAIN, RECIPES, TOKENS, authHeaders, rawRequest, startMock, type Started } from './helpers';

let s: Started;

test.beforeAll(async () => {
  s = await startMock();
});
test.afterAll(async () => {
  await s.mock.close();
});
test.beforeEach(() => {
  s.mock.state.reset();
});

const post = (path: string, token?: string) => rawRequest(s.port, { method: 'POST', path: `/metal/v1${path}`, headers: authHeaders(token) });
const get = (path: string, token?: string) => rawRequest(s.port, { path: `/metal/v1${path}`, headers: authHeaders(token) });

test.describe('documented responses over the Playwright request client', () => {
  for (const r of RECIPES) {
    test(`${r.op} ${r.status}`, async ({ playwright }) => {
      // baseURL must end in '/' and paths be relative to keep /metal/v1 (see STACK-NOTES).
      const ctx = await playwright.request.newContext({ baseURL: `${s.base}/`, extraHTTPHeaders: authHeaders(r.token) });
      try {
        const res = await ctx.fetch(r.path(s.mock).slice(1), { method: r.method });
        expect(res.status()).toBe(r.status);
        const headers = res.headers();
        if (r.status === 204) {
          expect(headers['content-type']).toBeUndefined();
          expect(headers['content-length']).toBeUndefined();
          expect(headers['transfer-encoding']).toBeUndefined();
          expect((await res.body()).length).toBe(0);
          return;
        }
        expect(headers['content-type']).toBe('application/json');
        const body: unknown = await res.json();
        if (r.status === 200) {
          expect(body).toEqual({ recovery_codes: expect.any(Array) });
          const codes = (body as { recovery_codes: unknown[] }).recovery_codes;
          expect(codes).toHaveLength(10);
          for (const c of codes) expect(c).toMatch(/^[a-z0-9]{10}$/);
        } else {
          expect(body).toEqual({ error: expect.any(String) });
          // Never echo a token back.
          expect(JSON.stringify(body)).not.toContain(r.token ?? 'mock-');
        }
      } finally {
        await ctx.dispose();
      }
    });
  }
});

test.describe('TOTP', () => {
  const totp = new TOTP({ secret: Secret.fromBase32(MOCK_IDENTITIES.METAL_OTP_SECRET), algorithm: 'SHA1', digits: 6, period: 30 });
  // Middle of a 30 s step, so ±1 step is unambiguous.
  const now = Math.floor(Date.UTC(2030, 0, 1) / 30_000) * 30_000 + 15_000;
  let t: Started;
  test.beforeAll(async () => {
    t = await startMock({ now: () => now });
  });
  test.afterAll(async () => {
    await t.mock.close();
  });

  for (const steps of [-1, 0, 1]) {
    test(`accepted at ${steps} step(s)`, async () => {
      const code = totp.generate({ timestamp: now + steps * 30_000 });
      const res = await rawRequest(t.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${code}`, headers: authHeaders(MAIN) });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      // The default profile has no replay protection (strict has, see profiles.spec): the code verifies again.
      expect((await rawRequest(t.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${code}`, headers: authHeaders(MAIN) })).status).toBe(204);
    });
  }
  for (const steps of [-3, -2, 2, 3]) {
    test(`rejected at ${steps} steps`, async () => {
      const code = totp.generate({ timestamp: now + steps * 30_000 });
      const window = [-1, 0, 1].map((d) => totp.generate({ timestamp: now + d * 30_000 }));
      test.skip(window.includes(code), 'code collides with one inside the window');
      const res = await rawRequest(t.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${code}`, headers: authHeaders(MAIN) });
      expect(res.status).toBe(400);
      expect(res.text).not.toContain(code);
    });
  }
  test('malformed, too long and no-2FA are 400', async () => {
    const code = totp.generate({ timestamp: now });
    for (const [otp, token] of [
      ['12345', MAIN],
      ['abcdef', MAIN],
      [`${code}0`, MAIN],
      ['1'.repeat(65), MAIN],
      ['x'.repeat(200), MAIN],
      [code, TOKENS.METAL_AUTH_TOKEN_NO_2FA],
    ] as const) {
      const res = await rawRequest(t.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${otp}`, headers: authHeaders(token) });
      expect(res.status, otp).toBe(400);
      expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
      expect(res.text).not.toContain(otp);
    }
  });
});

test('recovery codes are single use', async () => {
  const codes = (JSON.parse((await get('/user/otp/recovery-codes', MAIN)).text) as { recovery_codes: string[] }).recovery_codes;
  const [first] = codes;
  expect(first).toBeDefined();
  expect((await post(`/user/otp/verify/${first}`, MAIN)).status).toBe(204);
  const again = await post(`/user/otp/verify/${first}`, MAIN);
  expect(again.status).toBe(400);
  expect(again.text).not.toContain(first);
  const after = JSON.parse((await get('/user/otp/recovery-codes', MAIN)).text) as { recovery_codes: string[] };
  expect(after.recovery_codes).toEqual(codes.slice(1));
  // Another user's code does not verify this one.
  const smsCodes = s.mock.state.user('METAL_AUTH_TOKEN_SMS').recoveryCodes;
  expect((await post(`/user/otp/verify/${smsCodes[0]}`, MAIN)).status).toBe(400);
});

test('regeneration replaces every code and old ones are rejected', async () => {
  const old = (JSON.parse((await get('/user/otp/recovery-codes', MAIN)).text) as { recovery_codes: string[] }).recovery_codes;
  const regen = await post('/user/otp/recovery-codes', MAIN);
  expect(regen.status).toBe(200);
  const fresh = (JSON.parse(regen.text) as { recovery_codes: string[] }).recovery_codes;
  expect(fresh).toHaveLength(10);
  expect(fresh.filter((c) => old.includes(c))).toEqual([]);
  const listed = (JSON.parse((await get('/user/otp/recovery-codes', MAIN)).text) as { recovery_codes: string[] }).recovery_codes;
  expect(listed).toEqual(fresh);
  expect((await post(`/user/otp/verify/${old[0]}`, MAIN)).status).toBe(400);
  expect((await post(`/user/otp/verify/${fresh[0]}`, MAIN)).status).toBe(204);
});

test('an SMS is recorded and its code verifies the SMS user', async () => {
  const res = await post('/user/otp/sms/receive', TOKENS.METAL_AUTH_TOKEN_SMS);
  expect(res.status).toBe(204);
  const outbox = await rawRequest(s.port, { path: '/_mock/outbox' });
  expect(outbox.status).toBe(200);
  const { messages } = JSON.parse(outbox.text) as { messages: { to: string; code: string; timestamp: number }[] };
  expect(messages).toEqual([{ to: '+15555550100', code: expect.stringMatching(/^\d{6}$/), timestamp: expect.any(Number) }]);
  expect(s.mock.state.outbox).toHaveLength(1);
  expect((await post(`/user/otp/verify/${messages[0]?.code}`, TOKENS.METAL_AUTH_TOKEN_SMS)).status).toBe(204);
  // The failing gateway and missing phone record nothing.
  await post('/user/otp/sms/receive', TOKENS.METAL_AUTH_TOKEN_SMS_FAILING);
  await post('/user/otp/sms/receive', TOKENS.METAL_AUTH_TOKEN_SMS_NO_PHONE);
  expect(s.mock.state.outbox).toHaveLength(1);
});

test('SMS users have recovery codes; users without SMS 2FA get 422 from receive', async () => {
  expect((await get('/user/otp/recovery-codes', TOKENS.METAL_AUTH_TOKEN_SMS)).status).toBe(200);
  for (const token of [MAIN, TOKENS.METAL_AUTH_TOKEN_NO_2FA, TOKENS.METAL_AUTH_TOKEN_2FA_PENDING]) {
    expect((await post('/user/otp/sms/receive', token)).status).toBe(422);
  }
});

test('every operation answers 401 to a missing or unknown token, header name in any case', async () => {
  const ops: [string, string][] = [
    ['POST', '/user/otp/verify/123456'],
    ['GET', '/user/otp/recovery-codes'],
    ['POST', '/user/otp/recovery-codes'],
    ['POST', '/user/otp/sms/receive'],
  ];
  for (const [method, path] of ops) {
    const variants: Record<string, string>[] = [{}, { 'X-Auth-Token': 'nope' }, { 'X-Auth-Token': '' }, { 'X-Auth-Token': MAIN.toUpperCase() }];
    for (const headers of variants) {
      const res = await rawRequest(s.port, { method, path: `/metal/v1${path}`, headers });
      expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
    }
  }
  const lower = await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: { 'x-aUTH-tOKEN': MAIN } });
  expect(lower.status).toBe(200);
});

test('admin endpoints: health, outbox, reset', async () => {
  expect(JSON.parse((await rawRequest(s.port, { path: '/_mock/health' })).text)).toEqual({ ok: true });
  const before = s.mock.state.user('METAL_AUTH_TOKEN').recoveryCodes.slice();
  await post('/user/otp/sms/receive', TOKENS.METAL_AUTH_TOKEN_SMS);
  const reset = await rawRequest(s.port, { method: 'POST', path: '/_mock/reset' });
  expect(reset.status).toBe(200);
  expect(s.mock.state.outbox).toHaveLength(0);
  expect(s.mock.state.user('METAL_AUTH_TOKEN').recoveryCodes).not.toEqual(before);
  expect((await rawRequest(s.port, { path: '/_mock/reset' })).status).toBe(405);
});

/**
 * Entries triggered by what a request carries, as the suite's coverage phase
 * sends it: a long or non-ASCII otp (mutants), a long request-target and a
 * burst of requests (conforming variants in front of the API). Each test shows
 * the changed answer and that its neighbours answer exactly as the plain mock.
 */
import { test, expect } from '@playwright/test';
import { LONG_OTP_CHARACTERS, PROXY_MAX_TARGET_BYTES, RATE_LIMIT } from '../../src/mock/mutants';
import type { ProfileName } from '../../src/mock/profiles';
import {
  MAIN,
  TOKENS,
  authHeaders,
  codesOf,
  listCodes,
  observe,
  rawRequest,
  startMock,
  verify,
  type RawResponse,
  type Started,
} from './helpers';

async function withMocks(
  opts: { mutant: string; profile?: ProfileName; now?: () => number },
  fn: (mut: Started, normal: Started) => Promise<void>,
): Promise<void> {
  const base = { ...(opts.profile !== undefined && { profile: opts.profile }), ...(opts.now !== undefined && { now: opts.now }) };
  const [mut, normal] = [await startMock({ ...base, mutant: opts.mutant }), await startMock(base)];
  try {
    await fn(mut, normal);
  } finally {
    await Promise.all([mut.mock.close(), normal.mock.close()]);
  }
}

function expectJsonError(res: RawResponse, status: number, label: string): void {
  expect(res.status, label).toBe(status);
  expect(res.headers['content-type'], label).toBe('application/json');
  expect(JSON.parse(res.text), label).toEqual({ error: expect.any(String) });
}

/** The same otp on both mocks: the mutant's answer must equal the plain one. */
async function expectUnchanged(mut: Started, normal: Started, otp: string, label: string, token: string = MAIN): Promise<void> {
  expect(observe(await verify(mut, otp, token)), label).toEqual(observe(await verify(normal, otp, token)));
}

test.describe('verify-500-on-long-otp', () => {
  // all-401 refuses with 401 where default refuses with 400: the 500 replaces either.
  for (const profile of ['default', 'all-401'] as const) {
    test(`${profile}: an otp over ${LONG_OTP_CHARACTERS} characters after percent-decoding gets a JSON 500; ${LONG_OTP_CHARACTERS} or fewer are refused as usual`, async () => {
      await withMocks({ mutant: 'verify-500-on-long-otp', profile }, async (mut, normal) => {
        const long = {
          'one character over': 'a'.repeat(LONG_OTP_CHARACTERS + 1),
          'what the coverage phase sends (4096)': '1'.repeat(4096),
          'percent-encoded, 33 once decoded': '%61'.repeat(LONG_OTP_CHARACTERS + 1),
        };
        for (const [label, otp] of Object.entries(long)) {
          expect([400, 401], `${label}: the plain mock refuses`).toContain((await verify(normal, otp)).status);
          expectJsonError(await verify(mut, otp), 500, label);
        }
        // A user without 2FA is authenticated too: the crash is in the handler.
        expectJsonError(await verify(mut, long['one character over'], TOKENS.METAL_AUTH_TOKEN_NO_2FA), 500, 'no 2FA');
        const neighbours = {
          'exactly the limit': 'a'.repeat(LONG_OTP_CHARACTERS),
          '96 octets on the wire, 32 characters decoded': '%61'.repeat(LONG_OTP_CHARACTERS),
          // 34 UTF-16 code units but 17 characters (code points).
          'seventeen emoji': encodeURIComponent('\u{1F600}'.repeat(17)),
          'a malformed code': '12-4_6',
        };
        for (const [label, otp] of Object.entries(neighbours)) await expectUnchanged(mut, normal, otp, label);
        // Authentication comes first: no token, no handler, no crash.
        const anonymous = await rawRequest(mut.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${'a'.repeat(100)}` });
        expectJsonError(anonymous, 401, 'no token');
        await expectUnchanged(mut, normal, 'b'.repeat(100), 'unknown token', 'not-a-token');
        // The current TOTP still verifies.
        expect((await verify(mut, mut.mock.state.currentTotp(mut.mock.state.user('METAL_AUTH_TOKEN')))).status).toBe(204);
      });
    });
  }
});

test.describe('verify-500-on-non-ascii-otp', () => {
  const nonAscii = {
    accent: 'café',
    emoji: '\u{1F600}',
    'right-to-left': 'שלום',
    'combining mark': 'e\u0301',
  };
  for (const profile of ['default', 'all-401'] as const) {
    test(`${profile}: an otp holding a non-ASCII character (percent-encoded UTF-8) gets a JSON 500; ASCII, even percent-encoded, is refused as usual`, async () => {
      await withMocks({ mutant: 'verify-500-on-non-ascii-otp', profile }, async (mut, normal) => {
        for (const [label, text] of Object.entries(nonAscii)) {
          const otp = encodeURIComponent(text);
          expect([400, 401], `${label}: the plain mock refuses`).toContain((await verify(normal, otp)).status);
          expectJsonError(await verify(mut, otp), 500, label);
        }
        const neighbours = {
          'percent-encoded reserved characters': encodeURIComponent('/?#[]@!$&'),
          NUL: '%00',
          DEL: '%7F',
          'a space': 'abc%20def',
          // Not UTF-8: never routed to verify, 400 as a malformed path.
          'invalid UTF-8': '%C3%28',
        };
        for (const [label, otp] of Object.entries(neighbours)) await expectUnchanged(mut, normal, otp, label);
        expectJsonError(
          await rawRequest(mut.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${encodeURIComponent('café')}` }),
          401,
          'no token',
        );
      });
    });
  }

  test('the Playwright request client reaches the trigger: it percent-encodes the non-ASCII path itself', async ({ playwright }) => {
    await withMocks({ mutant: 'verify-500-on-non-ascii-otp' }, async (mut) => {
      const ctx = await playwright.request.newContext({ baseURL: `${mut.base}/`, extraHTTPHeaders: authHeaders(MAIN) });
      try {
        const res = await ctx.post('user/otp/verify/café\u{1F600}');
        expect(res.status()).toBe(500);
        expect(await res.json()).toEqual({ error: expect.any(String) });
        expect((await ctx.post('user/otp/verify/cafe')).status()).toBe(400);
      } finally {
        await ctx.dispose();
      }
    });
  });
});

/** A request-target of exactly `bytes` octets for the recovery-code list (its query is ignored by the API). */
function codesTarget(bytes: number): string {
  const path = '/metal/v1/user/otp/recovery-codes?pad=';
  return path + 'x'.repeat(bytes - path.length);
}

test.describe('proxy-414-long-uri', () => {
  test(`a request-target over ${PROXY_MAX_TARGET_BYTES} bytes gets the proxy's 414 HTML page; one of ${PROXY_MAX_TARGET_BYTES} reaches the API`, async () => {
    await withMocks({ mutant: 'proxy-414-long-uri' }, async (mut) => {
      const long = await rawRequest(mut.port, { path: codesTarget(PROXY_MAX_TARGET_BYTES + 1), headers: authHeaders(MAIN) });
      // RFC 9110 §15.5.15; a proxy's page is HTML, not the API's JSON.
      expect(long.status).toBe(414);
      expect(long.headers['content-type']).toBe('text/html');
      expect(long.headers['server']).toBe('nginx');
      expect(long.headers['connection']).toBe('close');
      expect(long.text).toContain('<title>414 Request-URI Too Large</title>');
      expect(Number(long.headers['content-length'])).toBe(long.body.length);
      const atLimit = await rawRequest(mut.port, { path: codesTarget(PROXY_MAX_TARGET_BYTES), headers: authHeaders(MAIN) });
      expect(atLimit.status).toBe(200);
      expect(codesOf(atLimit)).toHaveLength(10);
      // What the coverage phase sends: a 4096-character otp.
      expect((await verify(mut, '1'.repeat(4096))).status).toBe(414);
    });
  });

  test('the API never sees the refused request: a long regeneration changes no code', async () => {
    await withMocks({ mutant: 'proxy-414-long-uri' }, async (mut) => {
      const before = codesOf(await listCodes(mut));
      const refused = await rawRequest(mut.port, { method: 'POST', path: codesTarget(PROXY_MAX_TARGET_BYTES + 100), headers: authHeaders(MAIN) });
      expect(refused.status).toBe(414);
      expect(codesOf(await listCodes(mut))).toEqual(before);
      // The same regeneration with a short target goes through.
      expect(codesOf(await rawRequest(mut.port, { method: 'POST', path: codesTarget(100), headers: authHeaders(MAIN) }))).not.toEqual(before);
    });
  });
});

test.describe('rate-limited-429', () => {
  const T = Date.UTC(2030, 0, 1);

  test(`request ${RATE_LIMIT + 1} within one second gets 429 with Retry-After: 1 and a JSON Error; a second later the API answers again`, async () => {
    const clock = { now: T };
    await withMocks({ mutant: 'rate-limited-429', now: () => clock.now }, async (mut) => {
      for (let i = 0; i < RATE_LIMIT; i++) expect((await listCodes(mut)).status, `request ${i + 1}`).toBe(200);
      const limited = await listCodes(mut);
      expectJsonError(limited, 429, 'over the limit');
      // RFC 6585 §4: the answer may say how long to wait (Retry-After, RFC 9110 §10.2.3).
      expect(limited.headers['retry-after']).toBe('1');
      // Outside /metal/v1 nothing is limited.
      expect((await rawRequest(mut.port, { path: '/_mock/health' })).status).toBe(200);
      clock.now = T + 999;
      expect((await listCodes(mut)).status, 'still within the second').toBe(429);
      clock.now = T + 1000;
      expect((await listCodes(mut)).status, 'after Retry-After').toBe(200);
    });
  });

  test('the window slides: only the requests of the last second count, refused ones not at all', async () => {
    const clock = { now: T };
    await withMocks({ mutant: 'rate-limited-429', now: () => clock.now }, async (mut) => {
      const half = RATE_LIMIT / 2;
      for (let i = 0; i < half; i++) expect((await listCodes(mut)).status).toBe(200);
      clock.now = T + 500;
      for (let i = 0; i < half; i++) expect((await listCodes(mut)).status).toBe(200);
      // Refused requests do not extend the wait.
      for (let i = 0; i < 5; i++) expect((await listCodes(mut)).status).toBe(429);
      // The first half left the window; the second half is still in it.
      clock.now = T + 1000;
      for (let i = 0; i < half; i++) expect((await listCodes(mut)).status, `slot ${i + 1} freed`).toBe(200);
      expect((await listCodes(mut)).status).toBe(429);
    });
  });

  test('a refused request never reaches the API: a limited regeneration changes no code', async () => {
    const clock = { now: T };
    await withMocks({ mutant: 'rate-limited-429', now: () => clock.now }, async (mut) => {
      for (let i = 0; i < RATE_LIMIT - 1; i++) await listCodes(mut);
      const before = codesOf(await listCodes(mut));
      expect(before).toHaveLength(10);
      const limited = await rawRequest(mut.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
      expectJsonError(limited, 429, 'regeneration over the limit');
      clock.now = T + 1000;
      expect(codesOf(await listCodes(mut))).toEqual(before);
    });
  });
});

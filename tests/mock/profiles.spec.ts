/**
 * Profiles: each is another conforming OTP server. Every test here fails
 * without its profile's logic (the `default` answers are asserted alongside).
 * Time comes from the injectable clock, fixed in 2030, so the TOTP codes (and
 * any collision between them) are the same on every run.
 */
import { test, expect } from '@playwright/test';
import { getMutant, mutantProfiles } from '../../src/mock/mutants';
import { DEFAULT_PROFILE, PROFILES, PROFILE_NAMES, getProfile } from '../../src/mock/profiles';
import { createMockServer } from '../../src/mock/server';
import { MockState } from '../../src/mock/state';
import {
  SUITE_MALFORMED_OTPS,
  TOKENS,
  certainlyWrongOtp,
  codesOf,
  listCodes,
  mainTotp,
  middleOfStep,
  observe,
  rawRequest,
  regenerateCodes,
  startMock,
  verify,
  type RawResponse,
  type Started,
} from './helpers';

/** A mock on a clock the test moves by hand. */
async function startOnClock(opts: { profile?: string; mutant?: string; totpPeriodSeconds?: number }, start: number) {
  const clock = { now: start };
  const s = await startMock({ ...opts, now: () => clock.now });
  return { s, clock };
}

async function withMock<T>(started: Promise<Started>, fn: (s: Started) => Promise<T>): Promise<T> {
  const s = await started;
  try {
    return await fn(s);
  } finally {
    await s.mock.close();
  }
}

function expectJsonError(res: RawResponse, status: number, label: string): void {
  expect(res.status, label).toBe(status);
  expect(res.headers['content-type'], label).toBe('application/json');
  expect(JSON.parse(res.text), label).toEqual({ error: expect.any(String) });
}

/** Spends the first listed recovery code and regenerates: the used and the revoked code, for rejection tests. */
async function usedAndRevokedCodes(s: Started): Promise<{ used: string; revoked: string }> {
  const [used, revoked] = codesOf(await listCodes(s));
  expect((await verify(s, used!)).status).toBe(204);
  expect((await regenerateCodes(s)).status).toBe(200);
  return { used: used!, revoked: revoked! };
}

const TOO_LONG = '1'.repeat(65);

test('catalogue: one profile per name, `default` first, unknown names are an error listing the valid ones', () => {
  expect(PROFILES.map((p) => p.name)).toEqual([...PROFILE_NAMES]);
  expect(DEFAULT_PROFILE.name).toBe('default');
  for (const p of PROFILES) expect(p.description.length, p.name).toBeGreaterThan(20);
  expect(() => getProfile('nope')).toThrow(/^Unknown mock profile "nope"\. Valid names: default, strict, spent-codes, all-401$/);
  expect(() => createMockServer({ profile: 'nope' })).toThrow(/Unknown mock profile "nope"/);
  expect(createMockServer({ profile: '' }).profile.name).toBe('default');
  expect(createMockServer().profile.name).toBe('default');
  expect(createMockServer({ profile: 'strict', mutant: 'verify-accepts-any-otp' }).profile.name).toBe('strict');
});

test('totpPeriodSeconds: the main user\'s TOTP uses that step, and a bad value is refused', async () => {
  const at = middleOfStep(2);
  const { s, clock } = await startOnClock({ totpPeriodSeconds: 2 }, at);
  try {
    const totp = mainTotp(2);
    const user = s.mock.state.user('METAL_AUTH_TOKEN');
    expect(s.mock.state.currentTotp(user)).toBe(totp.generate({ timestamp: at }));
    expect((await verify(s, totp.generate({ timestamp: at }))).status).toBe(204);
    // Three 2 s steps later the code is outside the ±1 step window.
    clock.now = at + 3 * 2000;
    expect((await verify(s, totp.generate({ timestamp: at }))).status).toBe(400);
  } finally {
    await s.mock.close();
  }
  for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new MockState({ totpPeriodSeconds: bad }), String(bad)).toThrow(/totpPeriodSeconds/);
});

test.describe('default', () => {
  test('the same TOTP verifies again within its step', async () => {
    const at = middleOfStep(2);
    const { s } = await startOnClock({ totpPeriodSeconds: 2 }, at);
    try {
      const code = mainTotp(2).generate({ timestamp: at });
      for (let i = 0; i < 3; i++) expect((await verify(s, code)).status).toBe(204);
    } finally {
      await s.mock.close();
    }
  });

  test('the main user lists 10 codes from the start', async () => {
    await withMock(startMock(), async (s) => expect(codesOf(await listCodes(s))).toHaveLength(10));
  });
});

test.describe('strict', () => {
  test('a malformed OTP gets 400; a well-formed wrong one 401 (default: 400 for both)', async () => {
    const at = middleOfStep(30);
    const wrong = certainlyWrongOtp(mainTotp(), at);
    // Shaped like a recovery code (10 of [a-z0-9]) but issued to nobody: wrong, not malformed.
    const unknownRecoveryCode = 'abcdefghij';
    for (const [profile, malformedStatus, wrongStatus] of [
      ['strict', 400, 401],
      ['default', 400, 400],
    ] as const) {
      const { s } = await startOnClock({ profile }, at);
      try {
        for (const otp of [...SUITE_MALFORMED_OTPS, 'not-a-code', '12345', 'ABCDEFGHIJ', TOO_LONG]) {
          expectJsonError(await verify(s, otp), malformedStatus, `${profile} malformed ${otp}`);
        }
        for (const otp of [wrong, unknownRecoveryCode]) expectJsonError(await verify(s, otp), wrongStatus, `${profile} wrong ${otp}`);
        // No 2FA: nothing to verify against, 400 as under every profile.
        expectJsonError(await verify(s, wrong, TOKENS.METAL_AUTH_TOKEN_NO_2FA), 400, `${profile} no 2FA`);
      } finally {
        await s.mock.close();
      }
    }
  });

  test('used and revoked recovery codes get 401', async () => {
    await withMock(startMock({ profile: 'strict' }), async (s) => {
      const { used, revoked } = await usedAndRevokedCodes(s);
      expectJsonError(await verify(s, used), 401, 'used');
      expectJsonError(await verify(s, revoked), 401, 'revoked');
      expect((await verify(s, codesOf(await listCodes(s))[0]!)).status).toBe(204);
    });
  });

  test('the current TOTP verifies once per step; the next step\'s code verifies (RFC 6238 §5.2)', async () => {
    const period = 2;
    const at = middleOfStep(period);
    const totp = mainTotp(period);
    const codeAt = (steps: number): string => totp.generate({ timestamp: at + steps * period * 1000 });
    const { s, clock } = await startOnClock({ profile: 'strict', totpPeriodSeconds: period }, at);
    try {
      expect((await verify(s, codeAt(0))).status).toBe(204);
      expectJsonError(await verify(s, codeAt(0)), 401, 'second use in the same step');
      expectJsonError(await verify(s, codeAt(-1)), 401, 'an earlier step, still inside the window');
      clock.now = at + period * 1000;
      expect((await verify(s, codeAt(1))).status).toBe(204);
      expectJsonError(await verify(s, codeAt(1)), 401, 'second use of the next step\'s code');
      // Accepting step s+1 early (clock skew, RFC 6238 §6) spends step s too.
      clock.now = at + 2 * period * 1000;
      expect((await verify(s, codeAt(3))).status).toBe(204);
      expectJsonError(await verify(s, codeAt(2)), 401, 'a step before an accepted one');
      expect(s.mock.state.user('METAL_AUTH_TOKEN').lastTotpStep).toBe(Math.floor(at / (period * 1000)) + 3);
    } finally {
      await s.mock.close();
    }
  });
});

test.describe('spent-codes', () => {
  test('the main user lists no codes until they regenerate, then 10 codes each usable once', async () => {
    await withMock(startMock({ profile: 'spent-codes' }), async (s) => {
      const empty = await listCodes(s);
      expect(empty.status).toBe(200);
      expect(JSON.parse(empty.text)).toEqual({ recovery_codes: [] });
      // Nothing to spend: another user's code is still wrong for this one.
      const smsCode = codesOf(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_SMS))[0]!;
      expect((await verify(s, smsCode)).status).toBe(400);
      expect(codesOf(await listCodes(s))).toEqual([]);

      const fresh = codesOf(await regenerateCodes(s));
      expect(fresh).toHaveLength(10);
      expect(codesOf(await listCodes(s))).toEqual(fresh);
      for (const code of fresh) expect((await verify(s, code)).status, code).toBe(204);
      expect((await verify(s, fresh[0]!)).status).toBe(400);
      expect(codesOf(await listCodes(s))).toEqual([]);

      // Only the main user is affected, and a reset spends their codes again.
      expect(codesOf(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_SMS))).toHaveLength(10);
      await regenerateCodes(s);
      expect((await rawRequest(s.port, { method: 'POST', path: '/_mock/reset' })).status).toBe(200);
      expect(codesOf(await listCodes(s))).toEqual([]);
    });
  });
});

test.describe('all-401', () => {
  test('malformed, wrong, used and revoked OTPs all get 401; a user without 2FA still gets 400', async () => {
    const at = middleOfStep(30);
    const { s } = await startOnClock({ profile: 'all-401' }, at);
    try {
      const wrong = certainlyWrongOtp(mainTotp(), at);
      for (const otp of [...SUITE_MALFORMED_OTPS, 'not-a-code', TOO_LONG, wrong, 'abcdefghij']) expectJsonError(await verify(s, otp), 401, otp);
      const { used, revoked } = await usedAndRevokedCodes(s);
      expectJsonError(await verify(s, used), 401, 'used');
      expectJsonError(await verify(s, revoked), 401, 'revoked');
      for (const otp of [wrong, 'abcdef', TOO_LONG]) expectJsonError(await verify(s, otp, TOKENS.METAL_AUTH_TOKEN_NO_2FA), 400, `no 2FA ${otp}`);
      // Not single use: the same TOTP verifies twice.
      const code = mainTotp().generate({ timestamp: at });
      expect((await verify(s, code)).status).toBe(204);
      expect((await verify(s, code)).status).toBe(204);
    } finally {
      await s.mock.close();
    }
  });
});

test.describe('profiles combine with mutants', () => {
  test('the mutant rewrites the response the profile planned', async () => {
    const at = middleOfStep(30);
    const wrong = certainlyWrongOtp(mainTotp(), at);
    const strict = await startOnClock({ profile: 'strict', mutant: 'verify-400-errors-is-string' }, at);
    try {
      const malformed = await verify(strict.s, 'abcdef');
      expect(malformed.status).toBe(400);
      expect(JSON.parse(malformed.text)).toEqual({ errors: 'bad otp' });
      expectJsonError(await verify(strict.s, wrong), 401, 'strict wrong: not the mutant\'s target');
    } finally {
      await strict.s.mock.close();
    }
    const all401 = await startOnClock({ profile: 'all-401', mutant: 'verify-401-no-content-type' }, at);
    try {
      const res = await verify(all401.s, wrong);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBeUndefined();
    } finally {
      await all401.s.mock.close();
    }
  });

  test('miss pinned: verify-400 mutants do not list all-401, where verify never answers 400 to a user with 2FA', async () => {
    const at = middleOfStep(30);
    const candidates = [...SUITE_MALFORMED_OTPS, certainlyWrongOtp(mainTotp(), at)];
    for (const name of ['verify-400-errors-is-string', 'verify-400-answered-403']) {
      expect(mutantProfiles(getMutant(name)), name).toEqual(PROFILE_NAMES.filter((p) => p !== 'all-401'));
      const plain = await startOnClock({ profile: 'all-401' }, at);
      const mutated = await startOnClock({ profile: 'all-401', mutant: name }, at);
      try {
        for (const otp of candidates) {
          const want = observe(await verify(plain.s, otp));
          expect(want.status, otp).toBe(401);
          expect(observe(await verify(mutated.s, otp)), `${name} ${otp}`).toEqual(want);
        }
      } finally {
        await plain.s.mock.close();
        await mutated.s.mock.close();
      }
    }
  });
});

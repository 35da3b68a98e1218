/**
 * Recovery codes belong to one user: the main user (METAL_AUTH_TOKEN) and the
 * SMS user (METAL_AUTH_TOKEN_SMS) each list their own and verify with their own
 * only, under every profile; two mutants break that (OWASP API1:2023, broken
 * object level authorization).
 */
import { test, expect } from '@playwright/test';
import { PROFILE_NAMES, getProfile, type ProfileName } from '../../src/mock/profiles';
import { MAIN, TOKENS, codesOf, listCodes, regenerateCodes, startMock, verify, type RawResponse, type Started } from './helpers';

const SMS = TOKENS.METAL_AUTH_TOKEN_SMS;

async function withMock(opts: { mutant?: string; profile?: ProfileName }, fn: (s: Started) => Promise<void>): Promise<void> {
  const s = await startMock(opts);
  try {
    await fn(s);
  } finally {
    await s.mock.close();
  }
}

/** The listed codes (10), regenerating first where the profile starts with none (spent-codes), as the suite's flows do. */
async function ownCodes(s: Started, token: string): Promise<string[]> {
  const listed = await listCodes(s, token);
  expect(listed.status).toBe(200);
  const codes = codesOf(listed).length > 0 ? codesOf(listed) : codesOf(await regenerateCodes(s, token));
  expect(codes).toHaveLength(10);
  return codes;
}

function expectRefused(res: RawResponse, status: number, label: string): void {
  expect(res.status, label).toBe(status);
  expect(JSON.parse(res.text), label).toEqual({ error: expect.any(String) });
}

test.describe('two users with recovery codes', () => {
  for (const profile of PROFILE_NAMES) {
    // A code shaped like a recovery code but not the caller's is wrong, not malformed.
    const refusal = getProfile(profile).switches.rejectedOtpStatus;
    test(`${profile}: the main and the SMS user each list their own codes and verify with their own only`, async () => {
      await withMock({ profile }, async (s) => {
        const main = await ownCodes(s, MAIN);
        const sms = await ownCodes(s, SMS);
        expect(sms.filter((c) => main.includes(c))).toEqual([]);
        // Each list is its owner's, whoever listed first.
        expect(codesOf(await listCodes(s, MAIN))).toEqual(main);
        expect((await verify(s, sms[0]!, SMS)).status).toBe(204);
        expectRefused(await verify(s, main[0]!, SMS), refusal, 'the main user\'s code, as the SMS user');
        expectRefused(await verify(s, sms[1]!, MAIN), refusal, 'the SMS user\'s code, as the main user');
        // The refused attempts consumed nothing: the owner still holds the code.
        expect((await verify(s, main[0]!, MAIN)).status).toBe(204);
        expect(codesOf(await listCodes(s, SMS))).toEqual(sms.slice(1));
      });
    });
  }
});

test.describe('recovery-codes-accepted-for-any-user', () => {
  test('another user\'s unused code verifies the caller and is consumed from its owner', async () => {
    await withMock({ mutant: 'recovery-codes-accepted-for-any-user' }, async (s) => {
      const main = await ownCodes(s, MAIN);
      const sms = await ownCodes(s, SMS);
      expect((await verify(s, main[0]!, SMS)).status).toBe(204);
      expectRefused(await verify(s, main[0]!, MAIN), 400, 'the owner, after another user spent it');
      expectRefused(await verify(s, main[0]!, SMS), 400, 'the same code again');
      expect(codesOf(await listCodes(s, MAIN))).toEqual(main.slice(1));
      expect((await verify(s, sms[0]!, MAIN)).status).toBe(204);
    });
  });

  test('own codes, wrong codes and users without 2FA behave as before', async () => {
    await withMock({ mutant: 'recovery-codes-accepted-for-any-user' }, async (s) => {
      const main = await ownCodes(s, MAIN);
      expect((await verify(s, main[0]!, MAIN)).status).toBe(204);
      expectRefused(await verify(s, main[0]!, MAIN), 400, 'a used code');
      // Shaped like a recovery code, issued to nobody.
      expectRefused(await verify(s, 'abcdefghij', MAIN), 400, 'a code of no user');
      // Nothing to verify against: 400, and the code is not consumed.
      expectRefused(await verify(s, main[1]!, TOKENS.METAL_AUTH_TOKEN_NO_2FA), 400, 'a user without 2FA');
      expect((await verify(s, main[1]!, MAIN)).status).toBe(204);
    });
  });
});

test.describe('recovery-codes-shown-to-everyone', () => {
  test('whoever lists first after a reset is whose codes everyone is shown', async () => {
    await withMock({ mutant: 'recovery-codes-shown-to-everyone' }, async (s) => {
      const mainOwn = s.mock.state.user('METAL_AUTH_TOKEN').recoveryCodes.slice();
      const smsOwn = s.mock.state.user('METAL_AUTH_TOKEN_SMS').recoveryCodes.slice();
      expect(codesOf(await listCodes(s, MAIN))).toEqual(mainOwn);
      expect(codesOf(await listCodes(s, SMS))).toEqual(mainOwn);
      expect(codesOf(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_SMS_NO_PHONE))).toEqual(mainOwn);
      expect(smsOwn.filter((c) => mainOwn.includes(c))).toEqual([]);
      // The cache holds the first lister, not a copy: their own list stays live.
      expect((await verify(s, mainOwn[0]!, MAIN)).status).toBe(204);
      expect(codesOf(await listCodes(s, SMS))).toEqual(mainOwn.slice(1));
      // A reset empties the cache: now the SMS user lists first.
      s.mock.state.reset();
      const smsAfter = s.mock.state.user('METAL_AUTH_TOKEN_SMS').recoveryCodes.slice();
      expect(codesOf(await listCodes(s, SMS))).toEqual(smsAfter);
      expect(codesOf(await listCodes(s, MAIN))).toEqual(smsAfter);
    });
  });

  test('verification, and the 404 and 422 of users without codes, are unaffected', async () => {
    await withMock({ mutant: 'recovery-codes-shown-to-everyone' }, async (s) => {
      const smsOwn = s.mock.state.user('METAL_AUTH_TOKEN_SMS').recoveryCodes.slice();
      await listCodes(s, MAIN);
      // The SMS user cannot see their codes, but they still verify them, and only them.
      expect((await verify(s, smsOwn[0]!, SMS)).status).toBe(204);
      expectRefused(await verify(s, codesOf(await listCodes(s, SMS))[0]!, SMS), 400, 'a code the list showed, the main user\'s');
      expectRefused(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_NO_2FA), 404, 'no 2FA');
      expectRefused(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_2FA_PENDING), 422, 'pending');
    });
  });
});

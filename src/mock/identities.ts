/**
 * The embedded mock's well-known identities, in the same environment-variable
 * shape a real target is configured with (see src/target). Data only: both the
 * mock (which seeds its users from it) and the target profile for `TARGET=mock`
 * read it, so neither imports the other.
 */
export const MOCK_IDENTITIES = {
  /** 2FA through an authenticator app; has a TOTP secret and recovery codes. */
  METAL_AUTH_TOKEN: 'mock-app-2fa-7Qw3Rt9Zp2Lk',
  /** Base32 TOTP secret (RFC 4648) of the METAL_AUTH_TOKEN user. */
  METAL_OTP_SECRET: 'KVKFKRCPNZQUYMLXPJ3WY5LSGQ3DOMZV',
  /** A user who never enabled 2FA. */
  METAL_AUTH_TOKEN_NO_2FA: 'mock-no-2fa-4Hs8Vn1Xc6Bm',
  /** SMS 2FA with a phone number on file. */
  METAL_AUTH_TOKEN_SMS: 'mock-sms-2fa-9Jd2Fg5Tq8Wr',
  /** SMS 2FA enabled but no phone number on file. */
  METAL_AUTH_TOKEN_SMS_NO_PHONE: 'mock-sms-nophone-3Kp7Yh1Ms4Zx',
  /** 2FA enrolment started but never confirmed. */
  METAL_AUTH_TOKEN_2FA_PENDING: 'mock-2fa-pending-6Lc9Nb2Vr5Qe',
  /** SMS 2FA with a phone, behind an SMS gateway that always fails. */
  METAL_AUTH_TOKEN_SMS_FAILING: 'mock-sms-failing-8Tg4Wd7Pj1Hs',
} as const;

export type MockIdentityName = keyof typeof MOCK_IDENTITIES;

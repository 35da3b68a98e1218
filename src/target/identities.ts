/** The identities a target is configured with, and why each is needed. */
export const IDENTITY_NAMES = [
  'METAL_AUTH_TOKEN',
  'METAL_OTP_SECRET',
  'METAL_AUTH_TOKEN_NO_2FA',
  'METAL_AUTH_TOKEN_SMS',
  'METAL_AUTH_TOKEN_SMS_NO_PHONE',
  'METAL_AUTH_TOKEN_2FA_PENDING',
  'METAL_AUTH_TOKEN_SMS_FAILING',
] as const;

export type IdentityName = (typeof IDENTITY_NAMES)[number];
export type Identities = Partial<Record<IdentityName, string>>;

export const IDENTITY_PURPOSE: Record<IdentityName, string> = {
  METAL_AUTH_TOKEN: 'API token of a user with 2FA through an authenticator app (required)',
  METAL_OTP_SECRET: "base32 TOTP secret of that user, to compute valid and certainly-wrong OTPs",
  METAL_AUTH_TOKEN_NO_2FA: 'API token of a user without 2FA (404 on recovery codes, 422 on SMS)',
  METAL_AUTH_TOKEN_SMS: 'API token of a user with SMS 2FA and a phone number (SMS sent: 204)',
  METAL_AUTH_TOKEN_SMS_NO_PHONE: 'API token of a user with SMS 2FA but no phone number (400 on SMS)',
  METAL_AUTH_TOKEN_2FA_PENDING: 'API token of a user whose 2FA enrolment is not confirmed (422 on recovery codes)',
  METAL_AUTH_TOKEN_SMS_FAILING: 'API token of a user whose SMS gateway fails (500 on SMS)',
};

/** Identity values are secrets; the token/secret names say so in every report. */
export const REQUIRED_FOR_REMOTE: IdentityName[] = ['METAL_AUTH_TOKEN'];

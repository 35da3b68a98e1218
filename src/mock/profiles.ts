/**
 * Catalogue of profiles: other legal behaviours of the OTP API the mock can
 * take on. Every profile conforms to contracts/metal-otp.openapi.yaml, so the
 * suite must pass each of them; a mutant (mutants.ts) breaks a profile.
 *
 * A profile only sets switches: verify's status for a rejected OTP (read by the
 * server) and state behaviours (read by MockState). A conforming variant
 * (mutants.ts) may override a switch too: it stays legal by construction.
 */

export const PROFILE_NAMES = ['default', 'strict', 'spent-codes', 'all-401'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The statuses the contract documents for a verify that fails for a user with 2FA. */
export type OtpRejectionStatus = 400 | 401;

export interface ProfileSwitches {
  /** Verify's status for a malformed OTP (see isMalformedOtp) from a user with 2FA. */
  readonly malformedOtpStatus: OtpRejectionStatus;
  /** Verify's status for a well-formed OTP that is wrong, used or revoked, from a user with 2FA. */
  readonly rejectedOtpStatus: OtpRejectionStatus;
  /** RFC 6238 §5.2: once a code of step s was accepted for a user, codes of steps <= s are refused. */
  readonly totpSingleUse: boolean;
  /**
   * Time steps accepted either side of the current one. RFC 6238 §5.2 recommends
   * at most one step back for transmission delay and lets the verifier choose any
   * window, none included (0: the current step's code only).
   */
  readonly totpWindowSteps: number;
  /** The main user (METAL_AUTH_TOKEN) starts with every recovery code spent, until they regenerate. */
  readonly mainUserCodesSpent: boolean;
}

export interface ProfileDefinition {
  readonly name: ProfileName;
  readonly description: string;
  readonly switches: ProfileSwitches;
}

export const DEFAULT_SWITCHES: ProfileSwitches = Object.freeze({
  malformedOtpStatus: 400,
  rejectedOtpStatus: 400,
  totpSingleUse: false,
  totpWindowSteps: 1,
  mainUserCodesSpent: false,
});

export const PROFILES: readonly ProfileDefinition[] = Object.freeze([
  {
    name: 'default',
    description: 'Every rejected OTP gets 400; a TOTP code verifies any number of times within its ±1 step window.',
    switches: DEFAULT_SWITCHES,
  },
  {
    name: 'strict',
    description: 'A malformed OTP gets 400, a wrong, used or revoked one 401; a TOTP code works once per time step (RFC 6238 §5.2).',
    switches: { ...DEFAULT_SWITCHES, rejectedOtpStatus: 401, totpSingleUse: true },
  },
  {
    name: 'spent-codes',
    description: 'The main user has spent every recovery code: the list is empty until they regenerate, then normal.',
    switches: { ...DEFAULT_SWITCHES, mainUserCodesSpent: true },
  },
  {
    name: 'all-401',
    description: 'Every rejected OTP (malformed, wrong, used or revoked) gets 401; verify answers 400 only to a user without 2FA.',
    switches: { ...DEFAULT_SWITCHES, malformedOtpStatus: 401, rejectedOtpStatus: 401 },
  },
] satisfies ProfileDefinition[]);

const BY_NAME: ReadonlyMap<string, ProfileDefinition> = new Map(PROFILES.map((p) => [p.name, p]));

export const DEFAULT_PROFILE: ProfileDefinition = BY_NAME.get('default') as ProfileDefinition;

export function findProfile(name: string): ProfileDefinition | undefined {
  return BY_NAME.get(name);
}

/** The named profile; throws an Error listing the valid names otherwise. */
export function getProfile(name: string): ProfileDefinition {
  const p = BY_NAME.get(name);
  if (p === undefined) throw new Error(`Unknown mock profile "${name}". Valid names: ${PROFILE_NAMES.join(', ')}`);
  return p;
}

/**
 * In-memory state of the mock: the seeded users (from MOCK_IDENTITIES), their
 * TOTP secrets and recovery codes, and the outbox of SMS the mock "sent".
 * Mutants flip StateFlags (contract breaks); profiles set ProfileSwitches
 * (legal variants).
 */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { MOCK_IDENTITIES, type MockIdentityName } from './identities';
import { DEFAULT_SWITCHES, type ProfileSwitches } from './profiles';

/** Identity names that are tokens (all but the TOTP secret). */
export type MockUserName = Exclude<MockIdentityName, 'METAL_OTP_SECRET'>;
export type TwoFactorMethod = 'none' | 'app' | 'sms';

export interface MockUser {
  readonly name: MockUserName;
  readonly token: string;
  readonly twoFactor: TwoFactorMethod;
  /** Enrolment started but never confirmed. */
  readonly pending: boolean;
  readonly phone: string | null;
  /** The SMS gateway fails for this user. */
  readonly smsGatewayFails: boolean;
  readonly totp: TOTP | null;
  /** Base32 secret of `totp` (RFC 4648), for tests that need to compute codes. */
  readonly totpSecret: string | null;
  /** Unused recovery codes. */
  recoveryCodes: string[];
  /** The codes valid for TOTP step `step` (the window around it), cached: HMACs dominate verify's cost. */
  totpWindow: { step: number; codes: readonly string[] } | null;
  /** Time step of the last TOTP code accepted for this user, or null (RFC 6238 §5.2). */
  lastTotpStep: number | null;
  /** Codes replaced by a regeneration; only the revoked-codes mutant still honours them. */
  revokedCodes: string[];
  /** What GET lists under the stale-list mutant once codes were regenerated; null: the live list. */
  staleListing: string[] | null;
}

export interface SmsMessage {
  readonly to: string;
  readonly code: string;
  /** Milliseconds since the epoch, from the state's clock. */
  readonly timestamp: number;
}

/** Behaviour switches the state-level mutants flip; all false for the normal mock. */
export interface StateFlags {
  /** Every OTP is accepted for a user with 2FA. */
  acceptAnyOtp: boolean;
  /** Verifying with a recovery code does not consume it. */
  reusableRecoveryCodes: boolean;
  /** Regeneration returns the existing codes unchanged. */
  noRotation: boolean;
  /** Regeneration issues new codes, but listing keeps showing the pre-regeneration list. */
  staleListing: boolean;
  /** Codes replaced by a regeneration are still accepted by verify. */
  revokedCodesAccepted: boolean;
  /** Verify also accepts TOTP codes of any step of the last 24 hours, replay protection bypassed. */
  acceptOldTotp: boolean;
  /** Verify also accepts TOTP codes of any step of the next 24 hours, replay protection bypassed. */
  acceptFutureTotp: boolean;
  /** Listing shows every user the live codes of the first user who listed since the last reset. */
  sharedCodeListing: boolean;
  /** Verify accepts an unused recovery code of any user (consumed from its owner). */
  anyUsersRecoveryCode: boolean;
}

export const NORMAL_FLAGS: Readonly<StateFlags> = Object.freeze({
  acceptAnyOtp: false,
  reusableRecoveryCodes: false,
  noRotation: false,
  staleListing: false,
  revokedCodesAccepted: false,
  acceptOldTotp: false,
  acceptFutureTotp: false,
  sharedCodeListing: false,
  anyUsersRecoveryCode: false,
});

export const SMS_PHONE = '+15555550100';
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 10;
export const DEFAULT_TOTP_PERIOD_SECONDS = 30;
/** How far the far-TOTP mutants reach either way: 24 hours, 2880 steps of 30 s. */
export const FAR_TOTP_SECONDS = 24 * 60 * 60;
const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export type SmsOutcome = 'sent' | 'not-enabled' | 'no-phone' | 'gateway-failed';

export interface MockStateOptions {
  now?: () => number;
  flags?: Partial<StateFlags>;
  /** The profile's switches; default: the `default` profile's. */
  switches?: Partial<ProfileSwitches>;
  /** TOTP time step of every user, the main user's included (RFC 6238 §4.1 X); default 30. */
  totpPeriodSeconds?: number;
}

/** RFC 6238 §4 with the API's parameters: HMAC-SHA1, 6 digits, `period`-second steps. */
function totpFor(secret: Secret, period: number): TOTP {
  return new TOTP({ secret, algorithm: 'SHA1', digits: 6, period });
}

function checkedPeriod(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`totpPeriodSeconds must be a positive integer, got ${seconds}`);
  return seconds;
}

/** `count` lowercase alphanumeric codes from crypto.randomBytes, unbiased by rejection sampling. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    let code = '';
    while (code.length < RECOVERY_CODE_LENGTH) {
      for (const byte of randomBytes(RECOVERY_CODE_LENGTH * 2)) {
        // 252 = 7 * 36: bytes above it would favour the first letters.
        if (byte < 252 && code.length < RECOVERY_CODE_LENGTH) code += CODE_ALPHABET[byte % 36];
      }
    }
    codes.add(code);
  }
  return [...codes];
}

function isSixDigits(s: string): boolean {
  if (s.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function hasRecoveryCodeShape(s: string): boolean {
  if (s.length !== RECOVERY_CODE_LENGTH) return false;
  for (let i = 0; i < s.length; i++) if (!CODE_ALPHABET.includes(s[i] as string)) return false;
  return true;
}

/**
 * The codes of the steps [now + from, now + to] of one TOTP, kept up to date as
 * time moves: a step's HMAC is computed when it enters the range, never again
 * while it stays, so a request costs a Map lookup (and one HMAC per new step).
 * A multiset: two steps of one range may share a 6-digit code.
 */
class TotpRange {
  private readonly byStep = new Map<number, string>();
  private readonly counts = new Map<string, number>();
  /** Steps covered; empty while lo > hi. */
  private lo = 0;
  private hi = -1;

  constructor(
    private readonly totp: TOTP,
    private readonly from: number,
    private readonly to: number,
  ) {}

  /** Whether `otp` is the code of a step in the range around `step`. */
  has(step: number, otp: string): boolean {
    this.slide(step + this.from, step + this.to);
    return this.counts.has(otp);
  }

  private slide(lo: number, hi: number): void {
    if (lo === this.lo && hi === this.hi) return;
    if (this.lo > this.hi || lo > this.hi || hi < this.lo) {
      // No overlap (first use, a jump, a clock set back far): start afresh.
      this.byStep.clear();
      this.counts.clear();
      for (let s = lo; s <= hi; s++) this.add(s);
    } else {
      for (let s = this.lo; s < lo; s++) this.remove(s);
      for (let s = hi + 1; s <= this.hi; s++) this.remove(s);
      for (let s = lo; s < this.lo; s++) this.add(s);
      for (let s = this.hi + 1; s <= hi; s++) this.add(s);
    }
    this.lo = lo;
    this.hi = hi;
  }

  private add(step: number): void {
    const code = this.totp.generate({ timestamp: step * this.totp.period * 1000 });
    this.byStep.set(step, code);
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }

  private remove(step: number): void {
    const code = this.byStep.get(step);
    if (code === undefined) return;
    this.byStep.delete(step);
    const n = (this.counts.get(code) ?? 1) - 1;
    if (n === 0) this.counts.delete(code);
    else this.counts.set(code, n);
  }
}

/**
 * Whether an OTP could not be any code the mock issues: neither a TOTP code
 * (exactly 6 ASCII digits, RFC 4226 §5.3) nor shaped like a recovery code.
 */
export function isMalformedOtp(otp: string): boolean {
  return !isSixDigits(otp) && !hasRecoveryCodeShape(otp);
}

export class MockState {
  readonly now: () => number;
  readonly flags: Readonly<StateFlags>;
  readonly switches: ProfileSwitches;
  readonly totpPeriodSeconds: number;
  private readonly byToken = new Map<string, MockUser>();
  private readonly byName = new Map<MockUserName, MockUser>();
  private sms: SmsMessage[] = [];
  /** Far-TOTP ranges of the far-TOTP mutants, per user; dropped on reset. */
  private readonly farTotp = new Map<MockUserName, TotpRange>();
  /** Under sharedCodeListing: the first user who listed since the last reset. */
  private listingOwner: MockUser | null = null;

  constructor(opts: MockStateOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.flags = Object.freeze({ ...NORMAL_FLAGS, ...opts.flags });
    this.switches = Object.freeze({ ...DEFAULT_SWITCHES, ...opts.switches });
    this.totpPeriodSeconds = checkedPeriod(opts.totpPeriodSeconds ?? DEFAULT_TOTP_PERIOD_SECONDS);
    this.reset();
  }

  /** Drops every change and seeds the users afresh (new recovery codes, new random SMS secrets). */
  reset(): void {
    this.byToken.clear();
    this.byName.clear();
    this.sms = [];
    this.farTotp.clear();
    this.listingOwner = null;
    const appSecret = MOCK_IDENTITIES.METAL_OTP_SECRET;
    const seed = (
      name: MockUserName,
      twoFactor: TwoFactorMethod,
      extra: { pending?: boolean; phone?: string; smsGatewayFails?: boolean; secret?: string; codesSpent?: boolean } = {},
    ): void => {
      const secret =
        twoFactor === 'none' ? null : extra.secret !== undefined ? Secret.fromBase32(extra.secret) : new Secret({ size: 20 });
      const pending = extra.pending ?? false;
      const user: MockUser = {
        name,
        token: MOCK_IDENTITIES[name],
        twoFactor,
        pending,
        phone: extra.phone ?? null,
        smsGatewayFails: extra.smsGatewayFails ?? false,
        totp: secret === null ? null : totpFor(secret, this.totpPeriodSeconds),
        totpSecret: secret === null ? null : secret.base32,
        // Codes are issued when enrolment is confirmed, so a pending user has none.
        recoveryCodes: twoFactor === 'none' || pending || extra.codesSpent === true ? [] : generateRecoveryCodes(),
        revokedCodes: [],
        staleListing: null,
        totpWindow: null,
        lastTotpStep: null,
      };
      this.byToken.set(user.token, user);
      this.byName.set(name, user);
    };
    seed('METAL_AUTH_TOKEN', 'app', { secret: appSecret, codesSpent: this.switches.mainUserCodesSpent });
    seed('METAL_AUTH_TOKEN_NO_2FA', 'none');
    seed('METAL_AUTH_TOKEN_SMS', 'sms', { phone: SMS_PHONE });
    seed('METAL_AUTH_TOKEN_SMS_NO_PHONE', 'sms');
    seed('METAL_AUTH_TOKEN_2FA_PENDING', 'app', { pending: true, secret: appSecret });
    seed('METAL_AUTH_TOKEN_SMS_FAILING', 'sms', { phone: SMS_PHONE, smsGatewayFails: true });
  }

  /** The user a token authenticates, if any. A plain Map lookup: timing attacks are no concern for a mock. */
  userByToken(token: string | undefined): MockUser | undefined {
    return token === undefined ? undefined : this.byToken.get(token);
  }

  user(name: MockUserName): MockUser {
    const user = this.byName.get(name);
    if (user === undefined) throw new Error(`No mock user ${name}`);
    return user;
  }

  /** The user's TOTP code at the state clock's current time (or `at`). */
  currentTotp(user: MockUser, at: number = this.now()): string {
    if (user.totp === null) throw new Error(`Mock user ${user.name} has no TOTP secret`);
    return user.totp.generate({ timestamp: at });
  }

  /**
   * Whether `otp` verifies `user`: a TOTP within the window around now (±1 step
   * unless the `totpWindowSteps` switch says otherwise), or an unused recovery
   * code of theirs (consumed on use). Replay protection for TOTP codes is the
   * `totpSingleUse` switch; without it a code verifies again within its window.
   */
  verifyOtp(user: MockUser, otp: string): boolean {
    if (user.twoFactor === 'none') return false;
    if (this.flags.acceptAnyOtp) return true;
    if (user.totp !== null && isSixDigits(otp)) {
      if (this.acceptTotp(user, user.totp, otp)) return true;
      if (this.farTotpAccepted(user, user.totp, otp)) return true;
    }
    if (this.consume(user.recoveryCodes, otp)) return true;
    if (this.flags.anyUsersRecoveryCode) {
      // The mutant looks the code up among every user's codes, not the caller's only.
      for (const other of this.byName.values()) if (other !== user && this.consume(other.recoveryCodes, otp)) return true;
    }
    return this.flags.revokedCodesAccepted && this.consume(user.revokedCodes, otp);
  }

  /**
   * The far-TOTP mutants: a second, careless check that honours any step up to
   * 24 hours back or ahead, outside the window RFC 6238 §5.2 allows, and that
   * neither consults nor records the replay state (so `strict` cannot hide it).
   */
  private farTotpAccepted(user: MockUser, totp: TOTP, otp: string): boolean {
    const { acceptOldTotp: old, acceptFutureTotp: future } = this.flags;
    if (!old && !future) return false;
    let range = this.farTotp.get(user.name);
    if (range === undefined) {
      const far = Math.floor(FAR_TOTP_SECONDS / totp.period);
      const w = this.switches.totpWindowSteps;
      range = new TotpRange(totp, old ? -far : w + 1, future ? far : -(w + 1));
      this.farTotp.set(user.name, range);
    }
    return range.has(Math.floor(this.now() / (totp.period * 1000)), otp);
  }

  private acceptTotp(user: MockUser, totp: TOTP, otp: string): boolean {
    const step = this.acceptableTotpStep(user, totp, otp);
    if (step === null) return false;
    user.lastTotpStep = step;
    return true;
  }

  /** The earliest step of the window whose code is `otp` and that may still be used, or null. */
  private acceptableTotpStep(user: MockUser, totp: TOTP, otp: string): number | null {
    const window = this.totpWindow(user, totp);
    for (let i = 0; i < window.codes.length; i++) {
      const step = window.step - this.switches.totpWindowSteps + i;
      if (window.codes[i] === otp && !this.totpStepSpent(user, step)) return step;
    }
    return null;
  }

  /** RFC 6238 §5.2: after a code of step s was accepted, the verifier refuses codes of steps <= s. */
  private totpStepSpent(user: MockUser, step: number): boolean {
    return this.switches.totpSingleUse && user.lastTotpStep !== null && step <= user.lastTotpStep;
  }

  /** The TOTP codes accepted now: the current step and `totpWindowSteps` steps either side (RFC 6238 §5.2). */
  private totpWindow(user: MockUser, totp: TOTP): { step: number; codes: readonly string[] } {
    const period = totp.period * 1000;
    const step = Math.floor(this.now() / period);
    if (user.totpWindow === null || user.totpWindow.step !== step) {
      const w = this.switches.totpWindowSteps;
      const codes: string[] = [];
      for (let s = step - w; s <= step + w; s++) codes.push(totp.generate({ timestamp: s * period }));
      user.totpWindow = { step, codes };
    }
    return user.totpWindow;
  }

  private consume(codes: string[], code: string): boolean {
    const i = codes.indexOf(code);
    if (i === -1) return false;
    if (!this.flags.reusableRecoveryCodes) codes.splice(i, 1);
    return true;
  }

  listRecoveryCodes(user: MockUser): string[] {
    if (this.flags.staleListing && user.staleListing !== null) return [...user.staleListing];
    if (this.flags.sharedCodeListing) {
      // A cache keyed by nothing instead of by user: whoever lists first fills it for everyone.
      this.listingOwner ??= user;
      return [...this.listingOwner.recoveryCodes];
    }
    return [...user.recoveryCodes];
  }

  /** Replaces every code of the user with a fresh set and returns it. */
  regenerateRecoveryCodes(user: MockUser): string[] {
    if (this.flags.noRotation) return [...user.recoveryCodes];
    const previous = user.recoveryCodes;
    if (this.flags.staleListing && user.staleListing === null) user.staleListing = [...previous];
    if (this.flags.revokedCodesAccepted) user.revokedCodes.push(...previous);
    user.recoveryCodes = generateRecoveryCodes();
    return [...user.recoveryCodes];
  }

  /** Texts the user's current TOTP code to their phone, recording it in the outbox. */
  sendSms(user: MockUser): SmsOutcome {
    if (user.twoFactor !== 'sms' || user.pending) return 'not-enabled';
    if (user.phone === null) return 'no-phone';
    if (user.smsGatewayFails) return 'gateway-failed';
    const timestamp = this.now();
    this.sms.push({ to: user.phone, code: this.currentTotp(user, timestamp), timestamp });
    return 'sent';
  }

  get outbox(): readonly SmsMessage[] {
    return this.sms;
  }
}

/** Public surface of the OTP API mock. */
export { createMockServer, API_PREFIX, BODY_LIMIT_BYTES, MAX_HEADER_BYTES, MAX_OTP_LENGTH } from './server';
export type { MockServer, MockServerOptions } from './server';
export {
  MockState,
  NORMAL_FLAGS,
  SMS_PHONE,
  RECOVERY_CODE_COUNT,
  DEFAULT_TOTP_PERIOD_SECONDS,
  FAR_TOTP_SECONDS,
  generateRecoveryCodes,
  isMalformedOtp,
} from './state';
export type { MockStateOptions, MockUser, MockUserName, SmsMessage, StateFlags, TwoFactorMethod } from './state';
export { PROFILES, PROFILE_NAMES, DEFAULT_PROFILE, DEFAULT_SWITCHES, findProfile, getProfile } from './profiles';
export type { OtpRejectionStatus, ProfileDefinition, ProfileName, ProfileSwitches } from './profiles';
export {
  LONG_OTP_CHARACTERS,
  PROXY_MAX_TARGET_BYTES,
  RATE_LIMIT,
  MUTANTS,
  MUTANT_NAMES,
  CHECK_RULES,
  OPERATION_IDS,
  findMutant,
  getMutant,
  describeMutants,
  mutantApplies,
  mutantProfiles,
} from './mutants';
export type {
  CheckRule,
  FrontContext,
  MutantBehaviour,
  MutantDefinition,
  MutantInfo,
  MutantKind,
  MutantRow,
  MutantScope,
  MutantTrigger,
  MutationContext,
  OperationId,
  TriggerInput,
} from './mutants';
export type { PlannedResponse } from './response';

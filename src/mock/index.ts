/** Public surface of the OTP API mock. */
export { createMockServer, API_PREFIX, BODY_LIMIT_BYTES, MAX_HEADER_BYTES, MAX_OTP_LENGTH } from './server';
export type { MockServer, MockServerOptions } from './server';
export { MockState, NORMAL_FLAGS, SMS_PHONE, RECOVERY_CODE_COUNT, generateRecoveryCodes } from './state';
export type { MockUser, MockUserName, SmsMessage, StateFlags, TwoFactorMethod } from './state';
export {
  MUTANTS,
  MUTANT_NAMES,
  CHECK_RULES,
  OPERATION_IDS,
  findMutant,
  getMutant,
  describeMutants,
  mutantApplies,
} from './mutants';
export type { CheckRule, MutantBehaviour, MutantDefinition, MutantInfo, MutantKind, MutationContext, OperationId } from './mutants';
export type { PlannedResponse } from './response';

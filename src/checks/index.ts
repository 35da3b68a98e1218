/** The check registry: names here are the names docs, config and reports use. */
import { auth_required } from './auth-required';
import { content_type_conformance } from './content-type-conformance';
import { expected_status } from './expected-status';
import { no_body_conformance } from './no-body-conformance';
import {
  recovery_code_single_use,
  recovery_codes_listed_after_regeneration,
  regeneration_rotates_codes,
  revoked_code_rejected,
} from './recovery-codes';
import { response_headers_conformance } from './response-headers-conformance';
import { response_schema_conformance } from './response-schema-conformance';
import { status_code_conformance } from './status-code-conformance';
import { transport_error } from './transport-error';
import type { Check, CheckContext, Exchange, Failure } from './types';
import { wrong_otp_rejected } from './wrong-otp-rejected';

export const CHECKS = {
  transport_error,
  status_code_conformance,
  expected_status,
  content_type_conformance,
  no_body_conformance,
  response_schema_conformance,
  response_headers_conformance,
  auth_required,
  wrong_otp_rejected,
  recovery_code_single_use,
  revoked_code_rejected,
  regeneration_rotates_codes,
  recovery_codes_listed_after_regeneration,
} satisfies Record<string, Check>;

export type CheckName = keyof typeof CHECKS;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];

/** Runs the named checks (all by default) in registry order; every failure is kept. */
export function runChecks(ctx: CheckContext, exchange: Exchange, names: readonly CheckName[] = CHECK_NAMES): Failure[] {
  const failures: Failure[] = [];
  for (const name of names) {
    const found = CHECKS[name](ctx, exchange);
    if (found) failures.push(found);
  }
  return failures;
}

export type { Check, CheckContext, Exchange, Failure } from './types';

/** The check registry: names here are the names docs, config and reports use. */
import { anonymous_access } from './anonymous-access';
import { auth_required } from './auth-required';
import { content_type_conformance } from './content-type-conformance';
import { fresh_values } from './fresh-values';
import { negative_data_rejection } from './negative-data-rejection';
import { no_body_conformance } from './no-body-conformance';
import { response_headers_conformance } from './response-headers-conformance';
import { required_status } from './required-status';
import { response_schema_conformance, schemaTarget } from './response-schema-conformance';
import { saved_values_match } from './saved-values-match';
import { status_code_conformance } from './status-code-conformance';
import { transport_error } from './transport-error';
import { not_a_server_error } from './not-a-server-error';
import { unsupported_method } from './unsupported-method';
import { missing_required_parameter } from './missing-required-parameter';
import { max_response_time } from './max-response-time';
import { cross_identity_access } from './cross-identity-access';
import { list_contains, list_empty, list_excludes } from './list-assertions';
import { isSecured } from '../contract/model';
import { documentedResponse } from '../contract/responses';
import { bodilessBecause, succeededWithJson } from './http';
import type { Check, CheckContext, Exchange, Failure } from './types';

/**
 * In order of cause: when several fail on one response, the first is the defect
 * and the others are folded under it as consequences (`also`).
 */
export const CHECKS = {
  transport_error,
  // A crash explains an undocumented status and a malformed body; it is the cause.
  not_a_server_error,
  status_code_conformance,
  auth_required,
  anonymous_access,
  cross_identity_access,
  unsupported_method,
  missing_required_parameter,
  negative_data_rejection,
  required_status,
  content_type_conformance,
  no_body_conformance,
  response_schema_conformance,
  response_headers_conformance,
  max_response_time,
  fresh_values,
  saved_values_match,
  list_contains,
  list_excludes,
  list_empty,
} satisfies Record<string, Check>;

export type CheckName = keyof typeof CHECKS;
export const CHECK_NAMES = Object.keys(CHECKS) as CheckName[];


const documentsContent = (ctx: CheckContext, ex: Exchange): boolean =>
  ex.response !== null && !bodilessBecause(ex.request.method, ex.response.status) && (documentedResponse(ctx.operation, ex.response.status)?.content.length ?? 0) > 0;

/** Whether a check has anything to judge on this exchange: only those are listed as held or broken. */
const APPLIES: Record<CheckName, (ctx: CheckContext, ex: Exchange) => boolean> = {
  transport_error: () => true,
  not_a_server_error: (_, ex) => ex.response !== null,
  status_code_conformance: (_, ex) => ex.response !== null,
  cross_identity_access: (ctx, ex) => ex.response !== null && ctx.expect.refuse !== undefined,
  unsupported_method: (ctx, ex) => ex.response !== null && ctx.expect.undocumentedMethod !== undefined,
  missing_required_parameter: (ctx, ex) => ex.response !== null && ctx.expect.missing !== undefined,
  max_response_time: (ctx, ex) => ex.response !== null && ctx.expect.maxResponseTime !== undefined,
  auth_required: (ctx, ex) => ex.response !== null && ctx.credential !== 'valid' && isSecured(ctx.operation),
  anonymous_access: (ctx, ex) => ex.response !== null && ctx.credential === 'missing' && ctx.operation.security.length > 0 && !isSecured(ctx.operation),
  negative_data_rejection: (ctx, ex) => ex.response !== null && ctx.expect.reject !== undefined,
  required_status: (ctx, ex) => ex.response !== null && ctx.expect.require !== undefined && documentedResponse(ctx.operation, ex.response.status) !== null,
  content_type_conformance: (ctx, ex) => documentsContent(ctx, ex) && ex.response!.body.length > 0,
  no_body_conformance: (_, ex) => ex.response !== null && bodilessBecause(ex.request.method, ex.response.status) !== null,
  response_schema_conformance: (ctx, ex) => schemaTarget(ctx, ex) !== null,
  response_headers_conformance: (ctx, ex) => ex.response !== null && (documentedResponse(ctx.operation, ex.response.status)?.headers.length ?? 0) > 0,
  // They compare what a successful JSON answer holds: nothing to judge otherwise.
  fresh_values: (ctx, ex) => succeededWithJson(ex.response) && ctx.expect.fresh !== undefined,
  saved_values_match: (ctx, ex) => succeededWithJson(ex.response) && ctx.expect.same !== undefined,
  list_contains: (ctx, ex) => succeededWithJson(ex.response) && ctx.expect.contains !== undefined,
  list_excludes: (ctx, ex) => succeededWithJson(ex.response) && ctx.expect.excludes !== undefined,
  list_empty: (ctx, ex) => succeededWithJson(ex.response) && ctx.expect.empty !== undefined,
};

/**
 * A method the contract does not document has no documented responses to conform to: only what holds
 * for any HTTP exchange is judged (RFC 9110 §6.4.1 bodiless responses, a server error, the time taken).
 */
const UNDOCUMENTED_METHOD_CHECKS: ReadonlySet<CheckName> = new Set(['transport_error', 'not_a_server_error', 'unsupported_method', 'no_body_conformance', 'max_response_time']);

export interface CheckResult {
  check: CheckName;
  passed: boolean;
}

export interface CheckRun {
  /** The one failure this response counts for, with the other broken checks folded under it. */
  failure: Failure | null;
  /** The checks that had something to judge, in registry order, and whether each held. */
  results: CheckResult[];
}

export function runChecks(ctx: CheckContext, exchange: Exchange): CheckRun {
  const found: Failure[] = [];
  const results: CheckResult[] = [];
  for (const name of CHECK_NAMES) {
    if (ctx.expect.undocumentedMethod && !UNDOCUMENTED_METHOD_CHECKS.has(name)) continue;
    const f = CHECKS[name](ctx, exchange);
    if (f) found.push(f);
    if (f || APPLIES[name](ctx, exchange)) results.push({ check: name, passed: f === null });
  }
  const [primary, ...consequences] = found;
  return { failure: primary ? { ...primary, ...(consequences.length ? { also: consequences } : {}) } : null, results };
}

export type { Check, CheckContext, Exchange, Failure } from './types';

/** Every sentence the suite prints about a failure comes from here. */
import type { Failure, FailureKind } from '../checks/types';

export const CHECK_TITLES: Record<string, string> = {
  transport_error: 'An HTTP response arrived',
  status_code_conformance: 'Status code is documented for the operation',
  expected_status: 'Status code is the one the scenario provokes',
  content_type_conformance: 'Content-Type is a documented media type',
  no_body_conformance: 'Response documented without content has no body',
  response_schema_conformance: 'Body matches the documented schema',
  response_headers_conformance: 'Documented response headers are present and valid',
  auth_required: 'Missing or invalid credentials are rejected with 401',
  wrong_otp_rejected: 'A wrong OTP is rejected',
  recovery_code_single_use: 'A used recovery code is rejected',
  revoked_code_rejected: 'A recovery code replaced by regeneration is rejected',
  regeneration_rotates_codes: 'Regeneration issues new codes',
  recovery_codes_listed_after_regeneration: 'The code list shows the regenerated codes',
  scenario_coverage: 'Every documented response has a scenario',
};

export const KIND_TITLES: Record<FailureKind, string> = {
  contract: 'Contract violation',
  unexpected_status: 'Unexpected status for the scenario',
  behaviour: 'Behaviour violation',
  transport: 'Transport error',
  coverage: 'Coverage gap',
};

/** One line: `[check] operation status: at location expected X, got Y`. */
export function failureLine(f: Failure): string {
  const status = f.status === null ? 'no response' : String(f.status);
  return `[${f.check}] ${f.operationId} ${status}: ${f.location}: expected ${f.expected}, got ${f.actual}`;
}

export function failureBlock(f: Failure): string {
  const lines = [failureLine(f), `  ${KIND_TITLES[f.kind]}: ${CHECK_TITLES[f.check] ?? f.check}`];
  for (const more of f.more ?? []) lines.push(`  also ${more}`);
  return lines.join('\n');
}

/** The message a failed test ends with; the first line names every failing check. */
export function testFailureMessage(failures: Failure[]): string {
  const checks = [...new Set(failures.map((f) => f.check))].join(', ');
  return [`${failures.length} violation(s): ${checks}`, ...failures.map(failureBlock)].join('\n');
}

export function missingScenario(operationId: string, status: string): string {
  return `no scenario provokes ${operationId} ${status}: add one to src/scenarios/catalogue.ts or a SCENARIO_OVERRIDES file`;
}

export function allNotFoundHint(count: number): string {
  return `all ${count} responses were 404: is BASE_URL missing the /metal/v1 prefix?`;
}

export function unreachableTarget(baseURL: string, reason: string): string {
  return `Target ${baseURL} is unreachable (${reason}). Start the server or fix BASE_URL; no test was run.`;
}

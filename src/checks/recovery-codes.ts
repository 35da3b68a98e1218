/** Stateful checks on recovery codes: each reads the field of ExchangeIntent its flow sets. */
import { failure } from './http';
import type { Check, ResponseRecord } from './types';

export function listedCodes(response: ResponseRecord): string[] | null {
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { recovery_codes?: unknown };
    const codes = body?.recovery_codes;
    return Array.isArray(codes) && codes.every((c) => typeof c === 'string') ? codes : null;
  } catch {
    return null;
  }
}

const accepted = (response: ResponseRecord | null): response is ResponseRecord =>
  response !== null && response.status >= 200 && response.status < 300;

/** A recovery code the server accepted once is rejected the second time. */
export const recovery_code_single_use: Check = (ctx, { response }) => {
  if (!ctx.intent.reusedRecoveryCode || !accepted(response)) return null;
  return failure(
    { check: 'recovery_code_single_use', kind: 'behaviour', location: 'status', expected: 'a 4xx rejection of a used recovery code', actual: `${response.status}: the code was accepted again` },
    ctx.operation,
    response,
  );
};

/** A recovery code issued before a regeneration no longer works. */
export const revoked_code_rejected: Check = (ctx, { response }) => {
  if (!ctx.intent.revokedRecoveryCode || !accepted(response)) return null;
  return failure(
    { check: 'revoked_code_rejected', kind: 'behaviour', location: 'status', expected: 'a 4xx rejection of a code replaced by regeneration', actual: `${response.status}: the old code was accepted` },
    ctx.operation,
    response,
  );
};

/** Regeneration returns a non-empty list sharing no code with the list it replaces. */
export const regeneration_rotates_codes: Check = (ctx, { response }) => {
  const before = ctx.intent.codesBeforeRegeneration;
  if (!before || !accepted(response)) return null;
  const after = listedCodes(response);
  if (!after) return null; // response_schema_conformance reports a malformed list.
  const kept = after.filter((c) => before.includes(c));
  if (after.length > 0 && kept.length === 0) return null;
  return failure(
    {
      check: 'regeneration_rotates_codes',
      kind: 'behaviour',
      location: 'body.recovery_codes',
      expected: 'a non-empty list of new codes',
      actual: after.length === 0 ? 'an empty list' : `${kept.length} of ${after.length} codes are unchanged`,
    },
    ctx.operation,
    response,
  );
};

/** After a regeneration, listing the codes returns exactly the regenerated set. */
export const recovery_codes_listed_after_regeneration: Check = (ctx, { response }) => {
  const expected = ctx.intent.codesFromRegeneration;
  if (!expected || !accepted(response)) return null;
  const listed = listedCodes(response);
  if (!listed) return null;
  const missing = expected.filter((c) => !listed.includes(c)).length;
  const extra = listed.filter((c) => !expected.includes(c)).length;
  if (missing === 0 && extra === 0) return null;
  return failure(
    {
      check: 'recovery_codes_listed_after_regeneration',
      kind: 'behaviour',
      location: 'body.recovery_codes',
      expected: `the ${expected.length} regenerated codes`,
      actual: `${missing} regenerated codes missing, ${extra} other codes listed`,
    },
    ctx.operation,
    response,
  );
};

/** Stateful checks on recovery codes: each reads the field of ExchangeIntent its flow sets. */
import { failure } from './http';
import type { Check, ResponseRecord } from './types';

/** The body as JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** `recovery_codes` when it is a list of strings, else null (the schema check reports other shapes). */
export function parseCodes(json: unknown): string[] | null {
  const codes = (json as { recovery_codes?: unknown } | null | undefined)?.recovery_codes;
  return Array.isArray(codes) && codes.every((c) => typeof c === 'string') ? codes : null;
}

export function listedCodes(response: ResponseRecord): string[] | null {
  return parseCodes(parseJsonBody(response.body));
}

const JSON_LITERALS = new Set(['true', 'false', 'null']);

/**
 * Everything that may be a recovery code in a body of any shape (a joined
 * string, numbers, truncated JSON): masking must not depend on the body being valid.
 */
export function recoveryCodeCandidates(body: Buffer): string[] {
  const text = body.toString('utf8');
  const out: string[] = [];
  for (let at = text.indexOf('recovery_codes'); at >= 0; at = text.indexOf('recovery_codes', at + 1)) {
    const tail = text.slice(at + 'recovery_codes'.length + 1, at + 65_536);
    const end = tail.search(/[\]}]|,\s*"[^"]*"\s*:/); // the list ends, or the next property starts
    // Codes are short tokens; a 10 MB run of letters is junk, not a secret to mask.
    for (const m of (end >= 0 ? tail.slice(0, end) : tail).matchAll(/(?<![\w-])[A-Za-z0-9][\w-]{3,127}(?![\w-])/g)) {
      if (!JSON_LITERALS.has(m[0])) out.push(m[0]);
    }
  }
  return out;
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

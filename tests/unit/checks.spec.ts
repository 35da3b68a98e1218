/**
 * Every check fails on an exchange that violates it and passes on legal
 * variants. Regression tests are named after the false alarm or miss they pin.
 */
import { expect, test } from '@playwright/test';
import { CHECKS, runChecks } from '../../src/checks';
import { ctx, json, loaded, respond, type Loaded } from '../helpers';

let l: Loaded;
test.beforeAll(async () => {
  l = await loaded();
});

const checksOf = (failures: Array<{ check: string }>) => failures.map((f) => f.check);

test.describe('status_code_conformance', () => {
  test('fails on an undocumented status and names the documented ones', () => {
    const f = CHECKS.status_code_conformance(ctx(l, 'regenerateCodes'), json(201, { recovery_codes: [] }));
    expect(f).toMatchObject({ check: 'status_code_conformance', operationId: 'regenerateCodes', status: 201, location: 'status', actual: '201' });
    expect(f?.expected).toBe('one of 200, 401, 404, 422');
  });
  test('passes every documented status', () => {
    for (const s of [200, 401, 404, 422]) expect(CHECKS.status_code_conformance(ctx(l, 'findRecoveryCodes'), json(s, {}))).toBeNull();
  });
});

test.describe('expected_status', () => {
  test('fails when a documented status is not the provoked one', () => {
    const f = CHECKS.expected_status(ctx(l, 'receiveCodes', { expectedStatus: 400 }), json(422, { error: 'x' }));
    expect(f).toMatchObject({ check: 'expected_status', kind: 'unexpected_status', expected: '400', actual: '422' });
  });
  test('passes the provoked status', () => {
    expect(CHECKS.expected_status(ctx(l, 'receiveCodes', { expectedStatus: 400 }), json(400, {}))).toBeNull();
  });
});

test.describe('content_type_conformance', () => {
  test('fails on text/plain for a JSON body', () => {
    const f = CHECKS.content_type_conformance(ctx(l, 'findRecoveryCodes'), respond(200, '{}', { 'Content-Type': 'text/plain' }));
    expect(f).toMatchObject({ location: 'header Content-Type', expected: 'application/json', actual: 'text/plain' });
  });
  test('fails when Content-Type is missing on a documented body', () => {
    expect(CHECKS.content_type_conformance(ctx(l, 'findEnsureOtp'), respond(401, '{"error":"x"}'))?.actual).toBe('(missing)');
  });
  test('fails on a value that is not a media type', () => {
    expect(CHECKS.content_type_conformance(ctx(l, 'findEnsureOtp'), respond(401, '{}', { 'Content-Type': 'json' }))).not.toBeNull();
  });
  test('fails on two Content-Type fields', () => {
    const ex = respond(401, '{}', {});
    ex.response!.headers.push({ name: 'Content-Type', value: 'application/json' }, { name: 'content-type', value: 'text/html' });
    expect(CHECKS.content_type_conformance(ctx(l, 'findEnsureOtp'), ex)).not.toBeNull();
  });
  test('false alarm: charset parameter on application/json', () => {
    expect(CHECKS.content_type_conformance(ctx(l, 'findRecoveryCodes'), json(200, {}, { 'Content-Type': 'application/json; charset=utf-8' }))).toBeNull();
  });
  test('false alarm: media type in odd case with a quoted parameter', () => {
    expect(CHECKS.content_type_conformance(ctx(l, 'findRecoveryCodes'), respond(200, '{}', { 'content-TYPE': 'Application/JSON; Charset="UTF-8"' }))).toBeNull();
  });
  test('a 204 without Content-Type is not its concern', () => {
    expect(CHECKS.content_type_conformance(ctx(l, 'findEnsureOtp'), respond(204))).toBeNull();
  });
});

test.describe('no_body_conformance', () => {
  test('fails on a 204 with body bytes', () => {
    expect(CHECKS.no_body_conformance(ctx(l, 'findEnsureOtp'), respond(204, '{}'))).toMatchObject({ location: 'body', actual: '2 bytes' });
  });
  test('miss: a 204 announcing a body through Content-Length with nothing parsed', () => {
    expect(CHECKS.no_body_conformance(ctx(l, 'receiveCodes'), respond(204, '', { 'Content-Length': '17' }))).toMatchObject({ location: 'header Content-Length' });
  });
  test('miss: a 204 announcing a chunked body', () => {
    expect(CHECKS.no_body_conformance(ctx(l, 'receiveCodes'), respond(204, '', { 'Transfer-Encoding': 'chunked' }))).toMatchObject({ location: 'header Transfer-Encoding' });
  });
  test('false alarm: Content-Length 0 on a 204', () => {
    expect(CHECKS.no_body_conformance(ctx(l, 'receiveCodes'), respond(204, '', { 'Content-Length': '0' }))).toBeNull();
  });
  test('documented bodies are not its concern', () => {
    expect(CHECKS.no_body_conformance(ctx(l, 'receiveCodes'), json(400, { error: 'x' }))).toBeNull();
  });
});

test.describe('response_schema_conformance', () => {
  const check = (op: string, status: number, body: unknown, headers?: Record<string, string>) =>
    CHECKS.response_schema_conformance(ctx(l, op), json(status, body, headers));
  test('fails on a wrong item type and points at it', () => {
    const f = check('regenerateCodes', 200, { recovery_codes: ['a', 'b', 'c', 4] });
    expect(f).toMatchObject({ location: 'body.recovery_codes[3]', expected: 'must be string', actual: '4' });
  });
  test('fails on recovery_codes as a string', () => {
    expect(check('findRecoveryCodes', 200, { recovery_codes: 'a,b' })).toMatchObject({ location: 'body.recovery_codes', expected: 'must be array' });
  });
  test('fails on Error.error as a number', () => {
    expect(check('findRecoveryCodes', 404, { error: 404 })).toMatchObject({ location: 'body.error' });
  });
  test('fails on Error.errors as a string', () => {
    expect(check('findEnsureOtp', 400, { errors: 'bad' })).toMatchObject({ location: 'body.errors', expected: 'must be array' });
  });
  test('fails on a JSON array, null and a JSON string body', () => {
    expect(check('receiveCodes', 500, ['boom'])).toMatchObject({ location: 'body', expected: 'must be object' });
    expect(check('regenerateCodes', 422, 'null')).toMatchObject({ location: 'body', actual: 'null' });
    expect(check('findRecoveryCodes', 422, '"unprocessable"')).toMatchObject({ location: 'body' });
  });
  test('fails on invalid JSON and on an empty JSON body', () => {
    expect(check('findRecoveryCodes', 200, '{"recovery_codes": [')).toMatchObject({ location: 'body', expected: 'valid JSON (RFC 8259)' });
    expect(check('findRecoveryCodes', 200, '')).toMatchObject({ actual: '(empty body)' });
  });
  test('reports every further error in `more`', () => {
    const f = check('regenerateCodes', 200, { recovery_codes: [1, 2, 'x', 3] });
    expect(f?.more).toHaveLength(2);
    expect(f?.more?.[0]).toContain('body.recovery_codes[1]');
  });
  test('false alarm: an Error body {} (the schema requires nothing)', () => {
    expect(check('findEnsureOtp', 401, {})).toBeNull();
  });
  test('false alarm: extra undocumented properties', () => {
    expect(check('findRecoveryCodes', 200, { recovery_codes: ['a'], meta: { total: 1 } })).toBeNull();
    expect(check('receiveCodes', 500, { error: 'x', request_id: 'r1' })).toBeNull();
  });
  test('false alarm: whitespace around the JSON text', () => {
    expect(check('findRecoveryCodes', 200, '\n  {"recovery_codes": []}  \n')).toBeNull();
  });
  test('a mismatched media type is left to content_type_conformance', () => {
    expect(CHECKS.response_schema_conformance(ctx(l, 'findRecoveryCodes'), respond(200, 'not json', { 'Content-Type': 'text/html' }))).toBeNull();
  });
});

test.describe('auth_required', () => {
  test('fails when a missing credential is accepted', () => {
    const f = CHECKS.auth_required(ctx(l, 'findRecoveryCodes', { credentials: 'missing' }), json(200, { recovery_codes: [] }));
    expect(f).toMatchObject({ check: 'auth_required', expected: '401 for a missing credential' });
    expect(f?.actual).toContain('accepted without authentication');
  });
  test('fails when an invalid credential gets 403', () => {
    expect(CHECKS.auth_required(ctx(l, 'receiveCodes', { credentials: 'invalid' }), json(403, {}))?.actual).toBe('403');
  });
  test('passes 401, and ignores requests with valid credentials', () => {
    expect(CHECKS.auth_required(ctx(l, 'receiveCodes', { credentials: 'invalid' }), json(401, {}))).toBeNull();
    expect(CHECKS.auth_required(ctx(l, 'receiveCodes'), json(200, {}))).toBeNull();
  });
});

test.describe('behaviour checks', () => {
  test('wrong_otp_rejected fails when a wrong OTP gets 204', () => {
    expect(CHECKS.wrong_otp_rejected(ctx(l, 'findEnsureOtp', { wrongOtp: true }), respond(204))?.check).toBe('wrong_otp_rejected');
    expect(CHECKS.wrong_otp_rejected(ctx(l, 'findEnsureOtp', { wrongOtp: true }), json(400, {}))).toBeNull();
  });
  test('recovery_code_single_use fails when a used code is accepted again', () => {
    expect(CHECKS.recovery_code_single_use(ctx(l, 'findEnsureOtp', { reusedRecoveryCode: true }), respond(204))).not.toBeNull();
    expect(CHECKS.recovery_code_single_use(ctx(l, 'findEnsureOtp', { reusedRecoveryCode: true }), json(400, {}))).toBeNull();
  });
  test('revoked_code_rejected fails when an old code still works', () => {
    expect(CHECKS.revoked_code_rejected(ctx(l, 'findEnsureOtp', { revokedRecoveryCode: true }), respond(204))).not.toBeNull();
  });
  test('regeneration_rotates_codes fails on the same, overlapping or empty list', () => {
    const c = ctx(l, 'regenerateCodes', { codesBeforeRegeneration: ['a1', 'b2'] });
    expect(CHECKS.regeneration_rotates_codes(c, json(200, { recovery_codes: ['a1', 'b2'] }))?.actual).toBe('2 of 2 codes are unchanged');
    expect(CHECKS.regeneration_rotates_codes(c, json(200, { recovery_codes: ['c3', 'b2'] }))).not.toBeNull();
    expect(CHECKS.regeneration_rotates_codes(c, json(200, { recovery_codes: [] }))?.actual).toBe('an empty list');
    expect(CHECKS.regeneration_rotates_codes(c, json(200, { recovery_codes: ['c3', 'd4'] }))).toBeNull();
  });
  test('recovery_codes_listed_after_regeneration fails on a stale list', () => {
    const c = ctx(l, 'findRecoveryCodes', { codesFromRegeneration: ['c3', 'd4'] });
    expect(CHECKS.recovery_codes_listed_after_regeneration(c, json(200, { recovery_codes: ['a1', 'b2'] }))?.actual).toBe('2 regenerated codes missing, 2 other codes listed');
    expect(CHECKS.recovery_codes_listed_after_regeneration(c, json(200, { recovery_codes: ['d4', 'c3'] }))).toBeNull();
  });
});

test.describe('transport_error', () => {
  test('turns a missing response into a transport failure', () => {
    const ex = { ...respond(200), response: null, error: { kind: 'connection_reset' as const, message: 'socket hang up' } };
    expect(CHECKS.transport_error(ctx(l, 'findRecoveryCodes'), ex)).toMatchObject({ kind: 'transport', status: null, actual: 'connection_reset: socket hang up' });
    expect(runChecks(ctx(l, 'findRecoveryCodes'), ex).map((f) => f.check)).toEqual(['transport_error']);
  });
});

test('a conforming exchange passes every check', () => {
  expect(checksOf(runChecks(ctx(l, 'findRecoveryCodes', { expectedStatus: 200 }), json(200, { recovery_codes: ['x'] })))).toEqual([]);
  expect(checksOf(runChecks(ctx(l, 'receiveCodes', { expectedStatus: 204 }), respond(204)))).toEqual([]);
});

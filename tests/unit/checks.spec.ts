/**
 * Every check fails on an exchange that violates it and passes on legal
 * variants. Regression tests are named after the false alarm or miss they pin.
 */
import { expect, test } from '@playwright/test';
import { CHECKS, runChecks } from '../../src/checks';
import { bestMediaRange, parseMediaType } from '../../src/checks/http';
import type { Failure } from '../../src/checks/types';
import { documentedResponse, provokes } from '../../src/contract/responses';
import { failureLines } from '../../src/report/wording';
import { ctx, fixture, json, loaded, respond, type Loaded } from '../helpers';

let otp: Loaded;
let sem: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
  sem = await loaded(fixture('semantics.openapi.yaml'));
});

const words = (f: Failure | null) => (f ? failureLines(f).join('\n') : '');

test.describe('status_code_conformance', () => {
  test('fails on an undocumented status and names the documented ones', () => {
    const f = CHECKS.status_code_conformance(ctx(otp, 'regenerateCodes'), json(201, { recovery_codes: [] }));
    expect(f).toMatchObject({ check: 'status_code_conformance', operationId: 'regenerateCodes', received: 201, location: { part: 'status' } });
    expect(words(f)).toBe('[status_code_conformance] status: expected a documented status (200, 401, 404 or 422), got 201');
  });
  test('passes every documented status', () => {
    for (const s of [200, 401, 404, 422]) expect(CHECKS.status_code_conformance(ctx(otp, 'findRecoveryCodes'), json(s, {}))).toBeNull();
  });
  test('a 4XX range and default document statuses the contract does not list one by one', () => {
    expect(CHECKS.status_code_conformance(ctx(sem, 'listWidgets'), json(418, {}))).toBeNull();
    expect(CHECKS.status_code_conformance(ctx(sem, 'listWidgets'), json(503, {}))).toBeNull();
  });
});

test.describe('which documented response a status provokes (OpenAPI 3.0 §4.7.16)', () => {
  test('miss: a 4XX recipe passed on a status outside the class', async () => {
    const op = sem.plan.operations.find((o) => o.operationId === 'listWidgets')!;
    expect(provokes(op, 418, '4XX')).toBe(true);
    expect(provokes(op, 503, '4XX')).toBe(false);
    expect(provokes(op, 200, '4XX')).toBe(false);
  });
  test('a status the contract lists explicitly is its own response, not the range', async () => {
    const op = sem.plan.operations.find((o) => o.operationId === 'listWidgets')!;
    expect(documentedResponse(op, 404)?.status).toBe('404');
    expect(provokes(op, 404, '4XX')).toBe(false);
    expect(provokes(op, 404, '404')).toBe(true);
  });
  test('miss: default accepted statuses the contract lists explicitly', async () => {
    const op = sem.plan.operations.find((o) => o.operationId === 'listWidgets')!;
    expect(provokes(op, 200, 'default')).toBe(false);
    expect(provokes(op, 418, 'default')).toBe(false); // the 4XX range takes it
    expect(provokes(op, 503, 'default')).toBe(true);
  });
});

test.describe('content_type_conformance', () => {
  test('fails on text/plain for a JSON body', () => {
    const f = CHECKS.content_type_conformance(ctx(otp, 'findRecoveryCodes'), respond(200, '{}', { 'Content-Type': 'text/plain' }));
    expect(words(f)).toBe('[content_type_conformance] header Content-Type: expected a documented media type (application/json), got "text/plain"');
  });
  test('fails when Content-Type is missing on a documented body', () => {
    expect(CHECKS.content_type_conformance(ctx(otp, 'findEnsureOtp'), respond(401, '{"error":"x"}'))?.actual).toEqual({ kind: 'missing' });
  });
  test('fails on a value that is not a media type, and on two Content-Type fields', () => {
    expect(CHECKS.content_type_conformance(ctx(otp, 'findEnsureOtp'), respond(401, '{}', { 'Content-Type': 'json' }))).not.toBeNull();
    const ex = respond(401, '{}', {});
    ex.response!.headers.push({ name: 'Content-Type', value: 'application/json' }, { name: 'content-type', value: 'text/html' });
    expect(CHECKS.content_type_conformance(ctx(otp, 'findEnsureOtp'), ex)).not.toBeNull();
  });
  test('false alarm: charset parameter, odd case and a quoted parameter (RFC 9110 §8.3.1)', () => {
    expect(CHECKS.content_type_conformance(ctx(otp, 'findRecoveryCodes'), json(200, {}, { 'Content-Type': 'application/json; charset=utf-8' }))).toBeNull();
    expect(CHECKS.content_type_conformance(ctx(otp, 'findRecoveryCodes'), respond(200, '{}', { 'content-TYPE': 'Application/JSON; Charset="UTF-8"' }))).toBeNull();
  });
  test('false alarm: an Error body on a response documented without content', () => {
    expect(CHECKS.content_type_conformance(ctx(sem, 'listWidgets'), respond(404, '{"message":"no"}', { 'Content-Type': 'text/html' }))).toBeNull();
  });
});

test.describe('no_body_conformance', () => {
  test('fails on a 204 with body bytes, a Content-Length or Transfer-Encoding', () => {
    expect(CHECKS.no_body_conformance(ctx(otp, 'findEnsureOtp'), respond(204, '{}'))).toMatchObject({ location: { part: 'body', pointer: '' }, actual: { kind: 'content', bytes: 2 } });
    expect(CHECKS.no_body_conformance(ctx(otp, 'receiveCodes'), respond(204, '', { 'Content-Length': '17' }))).toMatchObject({ location: { part: 'header', name: 'Content-Length' } });
    expect(CHECKS.no_body_conformance(ctx(otp, 'receiveCodes'), respond(204, '', { 'Transfer-Encoding': 'chunked' }))).toMatchObject({ location: { part: 'header', name: 'Transfer-Encoding' } });
  });
  test('false alarm: Content-Length 0 on a 204', () => {
    expect(CHECKS.no_body_conformance(ctx(otp, 'receiveCodes'), respond(204, '', { 'Content-Length': '0' }))).toBeNull();
  });
  test('false alarm: a response documented without content carries an Error body (OpenAPI 3.0: its payload is undocumented)', () => {
    const ex = json(404, { message: 'no such widget' });
    expect(CHECKS.no_body_conformance(ctx(sem, 'listWidgets'), ex)).toBeNull();
    expect(runChecks(ctx(sem, 'listWidgets'), ex).failure).toBeNull();
  });
  test('false alarm: a HEAD response flagged for its empty body', () => {
    const head = respond(200, '', { 'Content-Type': 'application/json', 'Content-Length': '42' }, 'HEAD');
    expect(runChecks(ctx(sem, 'headWidgets'), head).failure).toBeNull();
    // The same empty 200 to GET is a schema violation: GET's content is documented.
    expect(runChecks(ctx(sem, 'listWidgets'), respond(200, '', { 'Content-Type': 'application/json' })).failure?.check).toBe('response_schema_conformance');
  });
  test('a HEAD response that carries content fails (RFC 9110 §9.3.2)', () => {
    expect(CHECKS.no_body_conformance(ctx(sem, 'headWidgets'), respond(200, '[]', {}, 'HEAD'))?.expected).toEqual({ kind: 'no-content', because: 'HEAD' });
  });
});

test.describe('response_schema_conformance', () => {
  const check = (op: string, status: number, body: unknown, secret: string[] = []) => CHECKS.response_schema_conformance(ctx(otp, op, { secret }), json(status, body));
  test('fails on a wrong item type, names the JSON location and both types', () => {
    const f = check('regenerateCodes', 200, { recovery_codes: ['a', 'b', 'c', 4] });
    expect(words(f)).toBe('[response_schema_conformance] body.recovery_codes[3]: expected a string, got a number (4)');
  });
  test('miss: a secret value hid its type ("expected must be string, got 174…(redacted)")', () => {
    const f = check('regenerateCodes', 200, { recovery_codes: [1747] }, ['/recovery_codes/*'.replace('*', '0')]);
    expect(words(f)).toBe('[response_schema_conformance] body.recovery_codes[0]: expected a string, got a number (value masked)');
    expect(words(f)).not.toContain('174');
  });
  test('a list that contains secrets is masked as a whole', () => {
    const f = check('findRecoveryCodes', 200, { recovery_codes: 'abcdefghij,klmnopqrst' }, ['/recovery_codes/0']);
    expect(words(f)).toBe('[response_schema_conformance] body.recovery_codes: expected an array, got a string (value masked)');
  });
  test('fails on Error.error as a number, on an array body, on null, on a JSON string', () => {
    expect(check('findRecoveryCodes', 404, { error: 404 })?.location).toEqual({ part: 'body', pointer: '/error' });
    expect(words(check('receiveCodes', 500, ['boom']))).toContain('body: expected an object, got an array (["boom"])');
    expect(words(check('regenerateCodes', 422, 'null'))).toContain('got null (null)');
    expect(check('findRecoveryCodes', 422, '"unprocessable"')).not.toBeNull();
  });
  test('fails on invalid JSON and on an empty JSON body', () => {
    expect(words(check('findRecoveryCodes', 200, '{"recovery_codes": ['))).toMatch(/^\[response_schema_conformance\] body: expected a JSON document \(RFC 8259\), got text that is not JSON/);
    expect(words(check('findRecoveryCodes', 200, ''))).toContain('got an empty body');
  });
  test('reports further findings of the same kind once, with the places', () => {
    const lines = failureLines(check('regenerateCodes', 200, { recovery_codes: [1, 2, 'x', 3] })!);
    expect(lines[0]).toBe('[response_schema_conformance] body.recovery_codes[0]: expected a string, got a number (1)');
    expect(lines[1]).toBe('  and 2 more places the same (body.recovery_codes[1] … body.recovery_codes[3]): expected a string, got a number each');
  });
  test('false alarm: an Error body {}, extra properties, whitespace around the JSON text', () => {
    expect(check('findEnsureOtp', 401, {})).toBeNull();
    expect(check('findRecoveryCodes', 200, { recovery_codes: ['a'], meta: { total: 1 } })).toBeNull();
    expect(check('findRecoveryCodes', 200, '\n  {"recovery_codes": []}  \n')).toBeNull();
  });
  test('a mismatched media type is left to content_type_conformance', () => {
    expect(CHECKS.response_schema_conformance(ctx(otp, 'findRecoveryCodes'), respond(200, 'not json', { 'Content-Type': 'text/html' }))).toBeNull();
  });
  test('miss: a oneOf failure reported the first branch\'s error as the whole story', () => {
    const f = CHECKS.response_schema_conformance(ctx(sem, 'getShape'), json(200, { kind: 'triangle', side: 3 }));
    const lines = failureLines(f!);
    expect(lines[0]).toBe('[response_schema_conformance] body: expected exactly one of 2 alternatives (oneOf) to match, got an object ({"kind":"triangle","side":3}) that matches none');
    expect(lines[1]).toContain('alternative 1: ');
    expect(lines[1]).toContain('body.kind: expected one of "circle", got a string ("triangle")');
    expect(lines[1]).toContain('body.radius: expected property "radius"');
    expect(lines[2]).toContain('alternative 2: body.kind: expected one of "square"');
  });
  test('a oneOf body matching two alternatives says which', async () => {
    const both = await loaded(fixture('semantics.openapi.yaml'));
    const f = CHECKS.response_schema_conformance(ctx(both, 'getShape'), json(201, { radius: 1, side: 2 }));
    expect(f).toBeNull(); // anyOf: two matches are fine
    const none = CHECKS.response_schema_conformance(ctx(both, 'getShape'), json(201, { edge: 1 }));
    expect(failureLines(none!)[0]).toContain('expected at least one of 2 alternatives (anyOf) to match');
  });
});

test.describe('auth_required', () => {
  test('fails when a missing credential is accepted', () => {
    const f = CHECKS.auth_required(ctx(otp, 'findRecoveryCodes', { credential: 'missing' }), json(200, { recovery_codes: [] }));
    expect(words(f)).toBe('[auth_required] status: expected a refusal: the request carried no credential, got 200: it was accepted');
  });
  test('false alarm: a documented refusal other than 401 (e.g. 404) to a missing credential', () => {
    expect(CHECKS.auth_required(ctx(otp, 'findRecoveryCodes', { credential: 'missing' }), json(404, {}))).toBeNull();
    expect(CHECKS.auth_required(ctx(otp, 'receiveCodes', { credential: 'invalid' }), json(401, {}))).toBeNull();
  });
  test('requests with a valid credential are not its concern', () => {
    expect(CHECKS.auth_required(ctx(otp, 'receiveCodes'), json(200, {}))).toBeNull();
  });
});

test.describe('behaviour checks', () => {
  test('negative_data_rejection fails when invalid input is accepted, and accepts any documented client error', () => {
    const c = ctx(otp, 'findEnsureOtp', { expect: { reject: 'a recovery code works once' } });
    expect(words(CHECKS.negative_data_rejection(c, respond(204)))).toBe('[negative_data_rejection] status: expected a rejection (a documented client error: 400 or 401), because a recovery code works once, got 204: it was accepted');
    expect(CHECKS.negative_data_rejection(c, json(400, {}))).toBeNull();
    expect(CHECKS.negative_data_rejection(c, json(401, {}))).toBeNull();
  });
  test('fresh_values fails on the same, overlapping or empty list', () => {
    const c = ctx(otp, 'regenerateCodes', { expect: { fresh: { pointer: '/recovery_codes', notIn: ['a1', 'b2'], because: 'regeneration issues new codes' } } });
    expect(CHECKS.fresh_values(c, json(200, { recovery_codes: ['a1', 'b2'] }))?.actual).toEqual({ kind: 'reused', kept: 2, of: 2 });
    expect(CHECKS.fresh_values(c, json(200, { recovery_codes: ['c3', 'b2'] }))).not.toBeNull();
    expect(CHECKS.fresh_values(c, json(200, { recovery_codes: [] }))?.actual).toEqual({ kind: 'empty-list' });
    expect(CHECKS.fresh_values(c, json(200, { recovery_codes: ['c3', 'd4'] }))).toBeNull();
  });
  test('saved_values_match fails on a stale list, and ignores order', () => {
    const c = ctx(otp, 'findRecoveryCodes', { expect: { same: { pointer: '/recovery_codes', value: ['c3', 'd4'], because: 'the list shows the regenerated codes', origin: { kind: 'saved', name: 'new', step: 'regenerate', identity: 'T' } } } });
    expect(CHECKS.saved_values_match(c, json(200, { recovery_codes: ['a1', 'b2'] }))?.actual).toMatchObject({ kind: 'different', missing: 2, extra: 2 });
    expect(CHECKS.saved_values_match(c, json(200, { recovery_codes: ['d4', 'c3'] }))).toBeNull();
  });
});

test.describe('transport_error', () => {
  test('turns a missing response into a transport failure, and nothing else runs on it', () => {
    const ex = { ...respond(200), response: null, error: { kind: 'connection_reset' as const, message: 'socket hang up' } };
    const failure = runChecks(ctx(otp, 'findRecoveryCodes'), ex).failure;
    expect(failure).toMatchObject({ check: 'transport_error', kind: 'transport', received: null });
    expect(failure).not.toHaveProperty('also');
  });
});

test.describe('one defect, one failure', () => {
  test('false alarm: one exchange was reported by status_code_conformance and auth_required at once', () => {
    const run = runChecks(ctx(otp, 'regenerateCodes', { credential: 'missing' }), respond(201, '<html>', { 'Content-Type': 'text/html' }));
    expect(run.failure?.check).toBe('status_code_conformance');
    expect(run.failure?.also?.map((f) => f.check)).toEqual(['auth_required']);
    expect(failureLines(run.failure!)[1]).toBe('  the same response also broke auth_required: status: expected a refusal: the request carried no credential, got 201: it was accepted');
  });
  test('a conforming exchange passes and lists only the checks that had something to judge', () => {
    const run = runChecks(ctx(otp, 'findRecoveryCodes'), json(200, { recovery_codes: ['x'] }));
    expect(run.failure).toBeNull();
    expect(run.results.map((r) => r.check)).toEqual(['transport_error', 'not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance']);
    expect(runChecks(ctx(otp, 'receiveCodes'), respond(204)).results.map((r) => r.check)).toEqual(['transport_error', 'not_a_server_error', 'status_code_conformance', 'no_body_conformance']);
  });
});

test.describe('review findings', () => {
  test('secret leak: the JSON parser quoted the text around the error (a recovery code) into the failure', () => {
    const f = CHECKS.response_schema_conformance(ctx(otp, 'findRecoveryCodes', { secret: ['/recovery_codes/0'] }), json(200, '{"recovery_codes": ["rmx6w1uu9k",]}'));
    expect(words(f)).toBe("[response_schema_conformance] body: expected a JSON document (RFC 8259), got text that is not JSON: an unexpected ']'");
    expect(words(CHECKS.response_schema_conformance(ctx(otp, 'findRecoveryCodes'), json(200, "{'recovery_codes': ['rmx6w1uu9k']}")))).toContain('got text that is not JSON: invalid at line 1, column 2');
  });
  test('false alarm: a contract keying its media type with a charset, and a server leaving the charset out', () => {
    expect(bestMediaRange(['application/json; charset=utf-8'], parseMediaType('application/json')!)).toBe('application/json; charset=utf-8');
    expect(bestMediaRange(['application/json; charset=utf-8'], parseMediaType('application/json; charset=iso-8859-1')!)).toBeNull();
  });
  test('miss: an empty body labelled text/plain passed where JSON is documented, and the schema check was listed as held', () => {
    const ex = respond(200, '', { 'Content-Type': 'text/plain' });
    const run = runChecks(ctx(otp, 'findRecoveryCodes'), ex);
    expect(run.failure?.check).toBe('response_schema_conformance');
    expect(words(run.failure)).toContain('got an empty body');
  });
  test('a check that judged nothing is not listed as held', () => {
    const run = runChecks(ctx(otp, 'findRecoveryCodes'), respond(200, '<p>hi</p>', { 'Content-Type': 'text/html' }));
    expect(run.results.map((r) => r.check)).not.toContain('response_schema_conformance');
    expect(run.failure?.check).toBe('content_type_conformance');
  });
});

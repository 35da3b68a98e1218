/** Generated inputs (coverage and fuzz phases) and the checks that judge what they send. */
import { expect, test } from '@playwright/test';
import * as fc from 'fast-check';
import { CHECKS, runChecks } from '../../src/checks';
import { coverageCases, plainValue, takesInput, undocumentedMethods } from '../../src/generate/coverage';
import { requestArbitrary } from '../../src/generate/fuzz';
import { fromPattern } from '../../src/generate/strings';
import { cellSeed, prng } from '../../src/generate/types';
import { failureLines } from '../../src/report/wording';
import { buildRequest, type RequestContext } from '../../src/scenarios/request';
import type { Inputs } from '../../src/scenarios/types';
import { ctx, fixture, json, loaded, respond, type Loaded } from '../helpers';

let otp: Loaded;
let notes: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
  notes = await loaded(fixture('notes/notes.openapi.yaml'));
});

const op = (l: Loaded, id: string) => l.plan.operations.find((o) => o.operationId === id)!;

test.describe('the coverage phase', () => {
  test('the same seed gives the same cases; another seed may differ only where randomness is used', () => {
    const a = coverageCases(op(notes, 'createNote'), notes.plan, { seed: 7 });
    const b = coverageCases(op(notes, 'createNote'), notes.plan, { seed: 7 });
    expect(b).toEqual(a);
    expect(a.map((c) => c.index)).toEqual(a.map((_, i) => i));
  });

  test('miss: limit=0 (minimum − 1) and 101 (maximum + 1) were never sent; boundaries are', () => {
    const cases = coverageCases(op(notes, 'listNotes'), notes.plan, { seed: 1 });
    const limits = cases.filter((c) => c.label.startsWith('query limit:')).map((c) => [c.label.replace('query limit: ', ''), c.inputs.query.limit]);
    expect(limits).toEqual(expect.arrayContaining([['minimum − 1', '0'], ['minimum', '1'], ['maximum', '100'], ['maximum + 1', '101'], ['a fraction', '1.5'], ['text where a number is due', 'abc']]));
  });

  test('miss: a long or non-ASCII one-time password was never sent; 4096 characters, accents, emoji, right-to-left text, combining marks, reserved characters and NUL are', () => {
    const cases = coverageCases(op(otp, 'findEnsureOtp'), otp.plan, { seed: 1 });
    const otps = cases.map((c) => c.inputs.path.otp as string);
    expect(otps.some((v) => v.length === 4096)).toBe(true);
    for (const text of ['café', '🔑', 'שלום', 'e\u0301', ':?#[]@', 'a\u0000b']) expect(otps.some((v) => v.includes(text)), text).toBe(true);
    // RFC 3986 §5.2.4: an empty path value would name another resource; it is not generated.
    expect(otps).not.toContain('');
    expect(cases.find((c) => c.inputs.path.otp === 'a/b')?.slashInPath).toBe(true);
  });

  test('a pattern yields a matching value and a breaking one; a header value never holds what a header cannot carry (RFC 9110 §5.5)', () => {
    const cases = coverageCases(op(notes, 'createNote'), notes.plan, { seed: 3 });
    const slug = new RegExp('^[a-z0-9]+(-[a-z0-9]+)*$', 'u');
    const matching = cases.find((c) => c.label === 'body member slug: matching the pattern');
    const breaking = cases.find((c) => c.label === 'body member slug: breaking the pattern');
    expect(slug.test((matching!.inputs.body as { slug: string }).slug)).toBe(true);
    expect(slug.test((breaking!.inputs.body as { slug: string }).slug)).toBe(false);
    const headers = cases.map((c) => c.inputs.headers['X-Client-Version']).filter((v): v is string => typeof v === 'string');
    expect(headers.length).toBeGreaterThan(5);
    for (const h of headers) expect(/^[\t\x20-\x7e]*$/.test(h) && h.trim() === h, JSON.stringify(h)).toBe(true);
  });

  test('required inputs are left out one at a time: a header, the body, a body member; a path parameter never', () => {
    const cases = coverageCases(op(notes, 'createNote'), notes.plan, { seed: 1 });
    const omitted = cases.filter((c) => c.omit).map((c) => c.omit);
    expect(omitted).toEqual(expect.arrayContaining([{ in: 'header', name: 'X-Client-Version' }, { in: 'body', name: '' }, { in: 'body', name: 'title' }, { in: 'body', name: 'slug' }]));
    expect(coverageCases(op(notes, 'getNote'), notes.plan, { seed: 1 }).some((c) => c.omit?.in === 'path')).toBe(false);
  });

  test('every method a path does not document is tried once, by the first operation of the path; HEAD goes with GET (RFC 9110 §9.3.2)', () => {
    expect(undocumentedMethods(op(otp, 'findRecoveryCodes'), otp.plan)).toEqual({ documented: ['GET', 'POST'], probed: ['PUT', 'DELETE', 'PATCH'] });
    expect(undocumentedMethods(op(otp, 'regenerateCodes'), otp.plan).probed).toEqual([]);
    expect(undocumentedMethods(op(otp, 'findEnsureOtp'), otp.plan).probed).toEqual(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']);
    const methods = coverageCases(op(otp, 'findEnsureOtp'), otp.plan, { seed: 1 }).filter((c) => c.method).map((c) => c.method);
    expect(methods).toEqual(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']);
  });

  test('a plain value keeps the schema: bounds, multipleOf, enum, format, pattern', () => {
    const random = prng(1);
    expect(plainValue({ type: 'integer', minimum: 10, maximum: 100, multipleOf: 7 }, {}, random)).toBe(14);
    expect(plainValue({ type: 'string', enum: ['b', 'a'] }, {}, random)).toBe('b');
    expect(plainValue({ type: 'string', format: 'uuid' }, {}, random)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(plainValue({ type: 'string', pattern: '^[A-Z]{3}-\\d{2}$' }, {}, random)).toMatch(/^[A-Z]{3}-\d{2}$/);
  });

  test('miss: a pattern-generated value ran past maxLength (a slug of 2000 characters for maxLength 60); fewer repetitions are tried until it fits', () => {
    const random = prng(5);
    for (let i = 0; i < 200; i++) {
      const value = fromPattern('^[a-z0-9]+(-[a-z0-9]+)*$', random, 60);
      expect(value !== null && value.length <= 60 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value), String(value)).toBe(true);
    }
    expect(fromPattern('(', random)).toBeNull();
  });

  test('an operation without parameter or body takes no input', () => {
    expect(takesInput(op(otp, 'receiveCodes'))).toBe(false);
    expect(takesInput(op(otp, 'findEnsureOtp'))).toBe(true);
  });
});

test.describe('the fuzz phase', () => {
  test('the same seed gives the same inputs (FUZZ_SEED reproduces a run)', () => {
    const arb = requestArbitrary(fc, op(notes, 'createNote'), notes.plan);
    const seed = cellSeed(42, 'fuzz', 'createNote');
    expect(fc.sample(arb, { seed, numRuns: 30 })).toEqual(fc.sample(requestArbitrary(fc, op(notes, 'createNote'), notes.plan), { seed, numRuns: 30 }));
    expect(cellSeed(42, 'fuzz', 'createNote')).not.toBe(cellSeed(42, 'fuzz', 'listNotes'));
    expect(cellSeed(42, 'fuzz', 'createNote')).not.toBe(cellSeed(43, 'fuzz', 'createNote'));
  });

  test('miss: generated strings stayed under 25 characters; lengths spread up to the limit, and path values are never "", "." or ".."', () => {
    const values = fc.sample(requestArbitrary(fc, op(otp, 'findEnsureOtp'), otp.plan), { seed: 9, numRuns: 300 }).map((i) => String(i.path.otp));
    expect(Math.max(...values.map((v) => [...v].length))).toBeGreaterThan(60);
    expect(values.filter((v) => ['', '.', '..'].includes(v))).toEqual([]);
  });

  test('a run holds both valid and contract-breaking requests, as the contract validators tell', () => {
    const ctxOf: RequestContext = { identities: { NOTES_API_KEY: { purpose: 'k' } }, values: { NOTES_API_KEY: 'k' }, generators: {}, saved: new Map(), secretParameters: () => false, invalidCredential: 'x', validators: notes.validators, now: () => 0 };
    const built = fc.sample(requestArbitrary(fc, op(notes, 'createNote'), notes.plan), { seed: 4, numRuns: 200 }).map((inputs) => buildRequest(op(notes, 'createNote'), 'http://h', inputs as Inputs, 'NOTES_API_KEY', ctxOf, { literal: true }));
    const invalid = built.filter((b) => b.problems.length).length;
    expect(invalid).toBeGreaterThan(20);
    expect(invalid).toBeLessThan(190);
  });
});

test.describe('checks of generated exchanges', () => {
  test('not_a_server_error: a 5xx fails unless the exchange aims at it, documented or not; an undocumented method may get 501 (RFC 9110 §15.6.2)', () => {
    const failure = runChecks(ctx(otp, 'findEnsureOtp', { expect: { aimedAt: [] } }), json(500, { error: 'boom' })).failure;
    expect(failure?.check).toBe('not_a_server_error');
    // Its consequence, an undocumented status, is folded under it: one defect, one failure.
    expect(failure?.also?.map((a) => a.check)).toEqual(['status_code_conformance']);
    expect(CHECKS.not_a_server_error(ctx(otp, 'receiveCodes', { expect: { aimedAt: ['204'] } }), json(500, { error: 'gateway' }))?.check).toBe('not_a_server_error');
    expect(CHECKS.not_a_server_error(ctx(otp, 'receiveCodes', { expect: { aimedAt: ['500'] } }), json(500, { error: 'gateway' }))).toBeNull();
    expect(CHECKS.not_a_server_error(ctx(otp, 'receiveCodes', { expect: { aimedAt: [] } }), json(422, {}))).toBeNull();
    expect(CHECKS.not_a_server_error(ctx(otp, 'receiveCodes', { expect: { undocumentedMethod: { method: 'PATCH', documented: ['POST'] } } }), json(501, {}))).toBeNull();
    expect(CHECKS.not_a_server_error(ctx(otp, 'receiveCodes', { expect: { undocumentedMethod: { method: 'PATCH', documented: ['POST'] } } }), json(503, {}))?.check).toBe('not_a_server_error');
  });

  test('unsupported_method: a 2xx to an undocumented method fails, a 405 must carry Allow; 401, 404, 405 with Allow and 501 are fine', () => {
    const c = ctx(otp, 'findRecoveryCodes', { expect: { undocumentedMethod: { method: 'DELETE', documented: ['GET', 'POST'] } } });
    const accepted = CHECKS.unsupported_method(c, respond(204, '', {}, 'DELETE'));
    expect(failureLines(accepted!)[0]).toBe('[unsupported_method] status: expected a refusal of DELETE, which the contract does not document for this path (it documents GET and POST): 405 with Allow, 404 or another client error, got 204: it was accepted');
    expect(CHECKS.unsupported_method(c, json(405, {}, {}, 'DELETE'))?.location).toEqual({ part: 'header', name: 'Allow' });
    for (const [status, headers] of [[405, { Allow: 'GET, POST' }], [404, {}], [401, {}], [501, {}]] as const) expect(CHECKS.unsupported_method(c, json(status, {}, headers, 'DELETE')), String(status)).toBeNull();
  });

  test('an undocumented method is judged by what holds for any exchange only: no "undocumented status" for its 405', () => {
    const run = runChecks(ctx(otp, 'findRecoveryCodes', { expect: { undocumentedMethod: { method: 'PUT', documented: ['GET', 'POST'] } } }), json(405, { error: 'no' }, { Allow: 'GET, POST' }, 'PUT'));
    expect(run.failure).toBeNull();
    expect(run.results.map((r) => r.check)).toEqual(['transport_error', 'not_a_server_error', 'unsupported_method']);
  });

  test('missing_required_parameter: a request lacking a required input must get a client error', () => {
    const c = ctx(notes, 'createNote', { expect: { missing: { in: 'header', name: 'X-Client-Version' } } });
    expect(failureLines(CHECKS.missing_required_parameter(c, json(201, {}))!)[0]).toBe('[missing_required_parameter] status: expected a client error (400 or 401): the required header parameter X-Client-Version was left out, got 201: it was accepted');
    expect(CHECKS.missing_required_parameter(c, json(302, {}))?.check).toBe('missing_required_parameter');
    expect(CHECKS.missing_required_parameter(c, json(400, { message: 'x' }))).toBeNull();
    expect(CHECKS.missing_required_parameter(c, json(401, { message: 'x' }))).toBeNull();
  });

  test('max_response_time: slower than its budget fails, naming the time measured and the setting; no budget, no check', () => {
    const slow = { ...json(200, { recovery_codes: [] }), durationMs: 812.4 };
    const failure = CHECKS.max_response_time(ctx(otp, 'findRecoveryCodes', { expect: { maxResponseTime: { ms: 500, from: 'MAX_RESPONSE_TIME_MS' } } }), slow);
    expect(failureLines(failure!)[0]).toBe('[max_response_time] response time: expected an answer within 500 ms (MAX_RESPONSE_TIME_MS), got an answer after 812 ms');
    expect(CHECKS.max_response_time(ctx(otp, 'findRecoveryCodes', { expect: { maxResponseTime: { ms: 1000, from: 'x' } } }), slow)).toBeNull();
    expect(CHECKS.max_response_time(ctx(otp, 'findRecoveryCodes'), slow)).toBeNull();
  });
});

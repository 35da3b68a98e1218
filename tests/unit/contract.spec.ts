/** Contract loading and validator compilation: OpenAPI 3.0 rules, errors that name the file, the upstream contract. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { CHECKS } from '../../src/checks';
import { loadContract } from '../../src/contract/load';
import { compileValidators } from '../../src/contract/validators';
import { ctx, json, loaded, respond, ROOT, UPSTREAM_CONTRACT } from '../helpers';

const fixture = (name: string) => resolve(ROOT, 'tests/fixtures', name);

test('the OTP contract yields 4 operations and 16 documented responses', async () => {
  const { plan, validators } = await loaded();
  expect(plan.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`).sort()).toEqual([
    'GET /user/otp/recovery-codes findRecoveryCodes',
    'POST /user/otp/recovery-codes regenerateCodes',
    'POST /user/otp/sms/receive receiveCodes',
    'POST /user/otp/verify/{otp} findEnsureOtp',
  ]);
  expect(plan.operations.flatMap((o) => o.responses)).toHaveLength(16);
  expect(plan.operations.every((o) => o.security[0]?.[0]?.paramName === 'X-Auth-Token')).toBe(true);
  expect(validators.compiled).toBe(14); // every documented JSON body: 16 responses minus two 204s
  expect(plan.sha256).toMatch(/^[0-9a-f]{64}$/);
});

test('a tag filter that matches nothing names the tag and the file', async () => {
  await expect(loadContract(resolve(ROOT, 'contracts/metal-otp.openapi.yaml'), { tags: ['Devices'] })).rejects.toThrow(
    /metal-otp\.openapi\.yaml: no operations tagged Devices/,
  );
});

test('broken contracts stop with the file and the problem', async () => {
  await expect(loadContract(fixture('missing.yaml'))).rejects.toThrow(/missing\.yaml: file not found/);
  await expect(loadContract(fixture('broken-ref.openapi.yaml'))).rejects.toThrow(/broken-ref\.openapi\.yaml: .*DoesNotExist/s);
  await expect(loadContract(fixture('not-openapi.yaml'))).rejects.toThrow(/not-openapi\.yaml: /);
  await expect(loadContract(fixture('bad-yaml.yaml'))).rejects.toThrow(/bad-yaml\.yaml: /);
  await expect(loadContract(fixture('openapi-31.yaml'))).rejects.toThrow(/OpenAPI 3\.1\.0 is not supported/);
});

test('a contract split over files (bundled refs outside components) loads and validates', async () => {
  const l = await loaded(fixture('multi-file/root.openapi.yaml'), []);
  for (const op of ['getA', 'getB']) {
    expect(CHECKS.response_schema_conformance(ctx(l, op), json(200, { id: 'x', parent: { id: 'y' } }))).toBeNull();
    expect(CHECKS.response_schema_conformance(ctx(l, op), json(200, { id: 'x', parent: { id: 1 } }))?.location).toBe('body.parent.id');
  }
});

test.describe('OpenAPI 3.0 schema rules (fixture contract)', () => {
  const thing = { id: 1, size: 2 };
  test('nullable, int32 bounds, x- extensions, example and circular refs', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    const ok = (body: unknown) => CHECKS.response_schema_conformance(ctx(l, 'getThing'), json(200, body));
    expect(ok({ ...thing, label: null, state: null, 'x-flag': true })).toBeNull();
    expect(ok({ ...thing, state: 'on', parent: { ...thing, children: [thing] } })).toBeNull();
    expect(ok({ ...thing, label: 5 })?.location).toBe('body.label');
    expect(ok({ ...thing, state: 'dim' })?.location).toBe('body.state');
    expect(ok({ id: 2 ** 31, size: 1 })?.location).toBe('body.id'); // int32 upper bound
    expect(ok({ ...thing, parent: { id: 'x', size: 1 } })?.location).toBe('body.parent.id');
    expect(ok({ ...thing, children: [thing, { size: 1 }] })?.location).toBe('body.children[1].id');
    expect(ok({ ...thing, 'x-flag': 'yes' })?.location).toBe('body["x-flag"]');
  });
  test('false alarm: a required writeOnly property is absent from a response', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    expect(CHECKS.response_schema_conformance(ctx(l, 'getThing'), json(200, { id: 1 }))).toBeNull(); // size is writeOnly + required
  });
  test('status ranges and default are documented statuses; ranges carry their own media type', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    const c = ctx(l, 'getThing');
    expect(CHECKS.status_code_conformance(c, json(418, {}))).toBeNull(); // 4XX
    expect(CHECKS.status_code_conformance(c, json(503, {}))).toBeNull(); // default
    expect(CHECKS.content_type_conformance(c, json(404, { title: 'x' }))?.expected).toBe('application/problem+json');
    expect(CHECKS.response_schema_conformance(c, json(404, {}, { 'Content-Type': 'application/problem+json' }))?.location).toBe('body.title');
  });
});

test.describe('response_headers_conformance (fixture contract documents headers)', () => {
  const headers = { 'Content-Type': 'application/json', 'X-Rate-Limit-Remaining': '10' };
  const body = JSON.stringify({ id: 1, size: 1 });
  test('fails when a required header is missing', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    const f = CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { 'Content-Type': 'application/json' }));
    expect(f).toMatchObject({ check: 'response_headers_conformance', location: 'header X-Rate-Limit-Remaining', actual: '(missing)' });
  });
  test('fails when a header value breaks its schema', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Rate-Limit-Remaining': '-1' }))?.location).toBe('header X-Rate-Limit-Remaining');
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Rate-Limit-Remaining': 'many' }))).not.toBeNull();
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Trace-Ids': 't-1, u-2' }))?.location).toBe('header X-Trace-Ids');
  });
  test('false alarm: header names in another case, list headers, a documented Content-Type header', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { 'content-type': 'application/json', 'x-rate-limit-remaining': '0', 'X-TRACE-IDS': 't-1, t-2' }))).toBeNull();
  });
  test('false alarm: a $ref header schema and a list of integers are coerced from text', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'), []);
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Retry-In': '5', 'X-Shard-Ids': '1, 2' }))).toBeNull();
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Retry-In': '-5' }))?.location).toBe('header X-Retry-In');
    expect(CHECKS.response_headers_conformance(ctx(l, 'getThing'), respond(200, body, { ...headers, 'X-Shard-Ids': '1, two' }))?.location).toBe('header X-Shard-Ids');
  });
});

test('the upstream contract (225+ operations, circular) selects the same 4 OTP operations and compiles', async () => {
  test.skip(!existsSync(UPSTREAM_CONTRACT), `upstream contract not found at ${UPSTREAM_CONTRACT}`);
  const started = performance.now();
  const plan = await loadContract(UPSTREAM_CONTRACT, { tags: ['OTPs'] });
  const validators = compileValidators(plan);
  const elapsed = performance.now() - started;
  const mine = (await loaded()).plan;
  const shape = (p: typeof plan) => p.operations.map((o) => `${o.operationId} ${o.method} ${o.path} ${o.responses.map((r) => r.status).sort().join(',')}`).sort();
  expect(shape(plan)).toEqual(shape(mine));
  expect(validators.compiled).toBe(14);
  test.info().annotations.push({ type: 'upstream load + compile', description: `${elapsed.toFixed(0)} ms` });
  expect(elapsed).toBeLessThan(2000);
  const all = compileValidators(await loadContract(UPSTREAM_CONTRACT, { tags: [] }));
  expect(all.compiled).toBeGreaterThan(700);
});

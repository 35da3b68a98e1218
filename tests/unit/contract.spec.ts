/** Contract loading and validator compilation: OpenAPI 3.0 rules, errors that name the file, the plan cache, the upstream contract. */
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CHECKS } from '../../src/checks';
import { parseContract, selectByTags } from '../../src/contract/load';
import { loadContract } from '../../src/contract/plan-cache';
import { compileValidators } from '../../src/contract/validators';
import { ctx, fixture, json, loaded, OTP_CONTRACT, respond, UPSTREAM_CONTRACT } from '../helpers';

test('the OTP contract yields 4 operations and 16 documented responses', async () => {
  const { plan, validators } = await loaded();
  expect(plan.operations.map((o) => `${o.method} ${o.path} ${o.operationId}`)).toEqual([
    'POST /user/otp/verify/{otp} findEnsureOtp',
    'GET /user/otp/recovery-codes findRecoveryCodes',
    'POST /user/otp/recovery-codes regenerateCodes',
    'POST /user/otp/sms/receive receiveCodes',
  ]);
  expect(plan.operations.flatMap((o) => o.responses)).toHaveLength(16);
  expect(plan.operations.every((o) => o.security[0]?.[0]?.paramName === 'X-Auth-Token')).toBe(true);
  expect(validators.compiled).toBe(15); // 14 JSON bodies (16 responses minus two 204s) + the otp path parameter
  expect(plan.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(plan.servers).toEqual(['https://api.equinix.com/metal/v1']);
});

test('operations are selected by tag, every operation when no tag is given', async () => {
  const { plan } = await loaded();
  expect(selectByTags(plan, ['OTPs']).size).toBe(4);
  expect(selectByTags(plan, ['Devices']).size).toBe(0);
  expect(selectByTags(plan, []).size).toBe(4);
});

test('broken contracts stop with the file and the problem', async () => {
  await expect(parseContract(fixture('missing.yaml'))).rejects.toThrow(/missing\.yaml: file not found/);
  await expect(parseContract(fixture('broken-ref.openapi.yaml'))).rejects.toThrow(/broken-ref\.openapi\.yaml: .*DoesNotExist/s);
  await expect(parseContract(fixture('not-openapi.yaml'))).rejects.toThrow(/not-openapi\.yaml: /);
  await expect(parseContract(fixture('bad-yaml.yaml'))).rejects.toThrow(/bad-yaml\.yaml: /);
  await expect(parseContract(fixture('openapi-31.yaml'))).rejects.toThrow(/OpenAPI 3\.1\.0 is not supported/);
});

test('a contract split over files (bundled refs outside components) loads and validates', async () => {
  const l = await loaded(fixture('multi-file/root.openapi.yaml'));
  for (const op of ['getA', 'getB']) {
    expect(CHECKS.response_schema_conformance(ctx(l, op), json(200, { id: 'x', parent: { id: 'y' } }))).toBeNull();
    expect(CHECKS.response_schema_conformance(ctx(l, op), json(200, { id: 'x', parent: { id: 1 } }))?.location).toEqual({ part: 'body', pointer: '/parent/id' });
  }
});

test('the plan cache follows the content of every file of the contract, not its name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-cache-'));
  copyFileSync(fixture('multi-file/root.openapi.yaml'), join(dir, 'root.openapi.yaml'));
  copyFileSync(fixture('multi-file/schemas.yaml'), join(dir, 'schemas.yaml'));
  const first = await loadContract(join(dir, 'root.openapi.yaml'));
  expect((await loadContract(join(dir, 'root.openapi.yaml'))).sha256).toBe(first.sha256);
  // A referenced file changes, the root does not: the cached plan must not be used.
  writeFileSync(join(dir, 'schemas.yaml'), `${'# changed\n'}${(await import('node:fs')).readFileSync(fixture('multi-file/schemas.yaml'), 'utf8')}`);
  expect((await loadContract(join(dir, 'root.openapi.yaml'))).sha256).not.toBe(first.sha256);
});

test.describe('OpenAPI 3.0 schema rules (fixture contract)', () => {
  const thing = { id: 1, size: 2 };
  test('nullable, int32 bounds, x- extensions, example and circular refs', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'));
    const ok = (body: unknown) => CHECKS.response_schema_conformance(ctx(l, 'getThing'), json(200, body));
    expect(ok({ ...thing, label: null, state: null, 'x-flag': true })).toBeNull();
    expect(ok({ ...thing, state: 'on', parent: { ...thing, children: [thing] } })).toBeNull();
    expect(ok({ ...thing, label: 5 })?.location).toEqual({ part: 'body', pointer: '/label' });
    expect(ok({ ...thing, state: 'dim' })?.location).toEqual({ part: 'body', pointer: '/state' });
    expect(ok({ id: 2 ** 31, size: 1 })?.location).toEqual({ part: 'body', pointer: '/id' }); // int32 upper bound
    expect(ok({ ...thing, children: [thing, { size: 1 }] })?.location).toEqual({ part: 'body', pointer: '/children/1/id' });
    expect(ok({ ...thing, 'x-flag': 'yes' })?.location).toEqual({ part: 'body', pointer: '/x-flag' });
  });
  test('false alarm: a required writeOnly property is absent from a response', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'));
    expect(CHECKS.response_schema_conformance(ctx(l, 'getThing'), json(200, { id: 1 }))).toBeNull(); // size is writeOnly + required
  });
  test('a range carries its own media type', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'));
    const c = ctx(l, 'getThing');
    expect(CHECKS.content_type_conformance(c, json(404, { title: 'x' }))?.expected).toEqual({ kind: 'media-type', ranges: ['application/problem+json'] });
    expect(CHECKS.response_schema_conformance(c, json(404, {}, { 'Content-Type': 'application/problem+json' }))?.location).toEqual({ part: 'body', pointer: '/title' });
  });
});

test.describe('response_headers_conformance (fixture contract documents headers)', () => {
  const headers = { 'Content-Type': 'application/json', 'X-Rate-Limit-Remaining': '10' };
  const body = JSON.stringify({ id: 1, size: 1 });
  test('fails when a required header is missing or breaks its schema', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'));
    const c = ctx(l, 'getThing');
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { 'Content-Type': 'application/json' }))).toMatchObject({ location: { part: 'header', name: 'X-Rate-Limit-Remaining' }, actual: { kind: 'missing' } });
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { ...headers, 'X-Rate-Limit-Remaining': '-1' }))).not.toBeNull();
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { ...headers, 'X-Rate-Limit-Remaining': 'many' }))).not.toBeNull();
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { ...headers, 'X-Trace-Ids': 't-1, u-2' }))?.location).toEqual({ part: 'header', name: 'X-Trace-Ids' });
  });
  test('false alarm: header names in another case, list headers, a documented Content-Type header, $ref schemas coerced from text', async () => {
    const l = await loaded(fixture('headers-and-types.openapi.yaml'));
    const c = ctx(l, 'getThing');
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { 'content-type': 'application/json', 'x-rate-limit-remaining': '0', 'X-TRACE-IDS': 't-1, t-2' }))).toBeNull();
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { ...headers, 'X-Retry-In': '5', 'X-Shard-Ids': '1, 2' }))).toBeNull();
    expect(CHECKS.response_headers_conformance(c, respond(200, body, { ...headers, 'X-Shard-Ids': '1, two' }))).not.toBeNull();
  });
});

test('the upstream contract (226 operations, circular) holds the same 4 OTP operations and compiles whole', async () => {
  test.skip(!existsSync(UPSTREAM_CONTRACT), `upstream contract not found at ${UPSTREAM_CONTRACT}`);
  const { plan } = await parseContract(UPSTREAM_CONTRACT);
  const otp = selectByTags(plan, ['OTPs']);
  const mine = (await loaded(OTP_CONTRACT)).plan;
  const shape = (ops: typeof plan.operations) => ops.map((o) => `${o.operationId} ${o.method} ${o.path} ${o.responses.map((r) => r.status).sort().join(',')}`).sort();
  expect(shape(plan.operations.filter((o) => otp.has(o.operationId)))).toEqual(shape(mine.operations));
  expect(plan.operations.length).toBeGreaterThan(220);
  expect(compileValidators(plan, otp).compiled).toBe(15);
  expect(compileValidators(plan).compiled).toBeGreaterThan(700);
});

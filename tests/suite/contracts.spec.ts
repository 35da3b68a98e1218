/** The suite is driven by whatever contract and recipes it is given: gaps, broken contracts, the upstream file with any tag. */
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { createMockServer, type MockServer } from '../../src/mock';
import { fixture, OTP_RECIPES, UPSTREAM_CONTRACT } from '../helpers';
import { runSuite } from './run-suite';

let mock: MockServer;
let baseURL: string;
test.beforeAll(async () => {
  mock = createMockServer();
  baseURL = await mock.listen(0);
});
test.afterAll(() => mock.close());

const onMock = (env: Record<string, string>) => ({ env: { TARGET: 'mock', BASE_URL: baseURL, ...env }, args: ['--no-report'] });

test('false alarm: a documented status without a recipe failed the run; it is "not covered", and fails only under STRICT_COVERAGE', async () => {
  // The fixture documents GET alone on a path where the mock also serves POST: the generated phases would rightly flag it.
  const env = { CONTRACT: fixture('otp-extra-status.openapi.yaml'), PHASES: 'none' };
  const run = await runSuite(onMock(env));
  expect(run.code, run.output.slice(-2000)).toBe(0);
  expect(run.cell('findRecoveryCodes 200')?.outcome).toBe('passed');
  expect(run.cell('findRecoveryCodes 401')?.outcome).toBe('passed');
  expect(run.cell('findRecoveryCodes 418')).toMatchObject({ outcome: 'not_covered', reason: expect.stringContaining('add "findRecoveryCodes 418" to') });
  expect(run.output).toContain('· findRecoveryCodes 418 not covered');
  const strict = await runSuite(onMock({ ...env, STRICT_COVERAGE: '1' }));
  expect(strict.code).toBe(1);
  expect(strict.output).toMatch(/✗ findRecoveryCodes 418 not covered \(fails under STRICT_COVERAGE=1\)/);
});

test('a broken contract stops the run at once, naming the file and the problem', async () => {
  const run = await runSuite(onMock({ CONTRACT: fixture('broken-ref.openapi.yaml') }));
  expect(run.code).not.toBe(0);
  expect(run.output).toMatch(/Contract .*broken-ref\.openapi\.yaml: .*DoesNotExist/);
  expect(run.coverage).toBeNull();
});

test('a tag no operation carries stops the run, listing the tags there are', async () => {
  const run = await runSuite(onMock({ TAGS: 'Devices' }));
  expect(run.code).not.toBe(0);
  expect(run.output).toContain('TAGS=Devices: no operation of');
  expect(run.output).toContain('(tags: OTPs)');
});

test.describe('the upstream Metal contract', () => {
  test.skip(!existsSync(UPSTREAM_CONTRACT), `upstream contract not found at ${UPSTREAM_CONTRACT}`);

  test('with tag OTPs and the OTP recipes it drives the same 16 responses and 2 flows to green', async () => {
    const run = await runSuite(onMock({ CONTRACT: UPSTREAM_CONTRACT, RECIPES: OTP_RECIPES, TAGS: 'OTPs' }));
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.keys('passed')).toHaveLength(19);
    expect(run.keys('failed', undefined, ['generated'])).toEqual([]);
    expect(run.coverage!.totals.responses.filtered).toBeGreaterThan(700);
  });

  test('miss: with another tag, 80 responses failed "scenario_coverage"; now each is passed, failed, not provoked, skipped or not covered', async () => {
    // The mock serves no Devices operation: what its generated phases would find is that, 40 times over.
    const run = await runSuite(onMock({ CONTRACT: UPSTREAM_CONTRACT, RECIPES: '', TAGS: 'Devices', PHASES: 'none' }));
    const cells = run.coverage!.cells.filter((c) => c.outcome !== 'filtered');
    expect(cells.length).toBe(80);
    expect(run.output).not.toContain('scenario_coverage');
    expect(run.keys('not_covered').length).toBeGreaterThan(30);
    // The derived 404 of a GET by uuid: the mock answers 404 to any path it does not serve.
    expect(run.cell('findDeviceById 404')?.outcome).toBe('passed');
    // The mock does not serve Devices, so statuses the contract does not document are real failures; but never a
    // no_body_conformance false alarm on the Error bodies of responses documented without content.
    const checks = cells.flatMap((c) => c.failures.map((f) => f[1] ?? ''));
    expect(checks.filter((l) => l.startsWith('[no_body_conformance]'))).toEqual([]);
    expect(checks.every((l) => l.startsWith('[status_code_conformance]'))).toBe(true);
  });
});

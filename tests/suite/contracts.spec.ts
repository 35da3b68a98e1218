/** The suite is driven by whatever contract it is given: coverage gaps, broken contracts, the upstream file. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer, type MockServer } from '../../src/mock';
import { ROOT, UPSTREAM_CONTRACT } from '../helpers';
import { runSuite } from './run-suite';

let mock: MockServer;
let baseURL: string;
test.beforeAll(async () => {
  mock = createMockServer();
  baseURL = await mock.listen(0);
});
test.afterAll(() => mock.close());

test('a documented status without a scenario fails the run, naming it', async () => {
  const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL, CONTRACT: resolve(ROOT, 'tests/fixtures/otp-extra-status.openapi.yaml') } });
  expect(run.code).not.toBe(0);
  const cell = (s: string) => run.coverage!.cells.find((c) => c.status === s);
  expect(cell('200')?.outcome).toBe('passed');
  expect(cell('401')?.outcome).toBe('passed');
  expect(cell('418')).toMatchObject({ outcome: 'failed', checks: ['scenario_coverage'] });
  expect(run.output).toContain('no scenario provokes findRecoveryCodes 418');
  expect(run.coverage!.cells.filter((c) => c.status === 'flow')).toEqual([]); // flows need operations this contract lacks
});

test('a broken contract stops the run at once, naming the file and the problem', async () => {
  const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL, CONTRACT: resolve(ROOT, 'tests/fixtures/broken-ref.openapi.yaml') } });
  expect(run.code).not.toBe(0);
  expect(run.output).toMatch(/Contract .*broken-ref\.openapi\.yaml: .*DoesNotExist/);
  expect(run.output).not.toMatch(/\d+ passed/);
});

test('the full upstream contract with tag OTPs drives the same 16 responses to green', async () => {
  test.skip(!existsSync(UPSTREAM_CONTRACT), `upstream contract not found at ${UPSTREAM_CONTRACT}`);
  const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL, CONTRACT: UPSTREAM_CONTRACT, TAGS: 'OTPs' } });
  expect(run.code, run.output.slice(-2000)).toBe(0);
  expect(run.coverage!.totals).toEqual({ passed: 16, failed: 0, skipped: 0, not_covered: 0 });
});

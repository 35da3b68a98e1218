/**
 * A gate that cannot lose coverage quietly: the first line names the contract, the recipes (or their absence)
 * and the target; a contract the embedded mock does not serve is refused; a pinned gate fails when a cell that
 * passed before loses coverage; a paced run says so.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer } from '../../src/mock';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { OTP_CONTRACT, ROOT } from '../helpers';
import { runSuite } from './run-suite';

test('the first line of a run names the contract, the recipes in use and the target', async () => {
  const run = await runSuite({ args: ['--no-report', '--grep', 'findRecoveryCodes 200'] });
  expect(run.code, run.output.slice(-1500)).toBe(0);
  expect(run.output.split('\n')[0]).toMatch(/^contract contracts\/metal-otp\.openapi\.yaml \(Equinix Metal API - OTPs 1\.0\.0\) · recipes contracts\/metal-otp\.recipes\.yaml · target mock \(http:\/\/127\.0\.0\.1:\d+\/metal\/v1\) · 1 cells · generated phases coverage \+ fuzz, FUZZ_SEED=-?\d+$/);
});

test('miss: a contract moved elsewhere silently lost its recipes and still passed; the first line names the recipes it did not find, and a pinned gate fails naming every cell that lost coverage', async () => {
  const reportsDir = mkdtempSync(join(tmpdir(), 'pinned-'));
  const moved = join(mkdtempSync(join(tmpdir(), 'moved-')), 'metal-otp.openapi.yaml');
  copyFileSync(OTP_CONTRACT, moved);
  // A passing run records what it covered, per target.
  const before = await runSuite({ env: { REPORTS_DIR: reportsDir, PHASES: 'none' }, args: ['--no-report'] });
  expect(before.code, before.output.slice(-1500)).toBe(0);
  const after = await runSuite({ env: { REPORTS_DIR: reportsDir, PHASES: 'none', CONTRACT: moved, PIN_COVERAGE: '1' }, args: ['--no-report'] });
  const first = after.output.split('\n')[0]!;
  expect(first).toContain(`recipes none found (looked for ${moved.replace(/\.openapi\.yaml$/, '.recipes.yaml')}): 12 of 16 documented responses will be not covered`);
  expect(after.code).toBe(1);
  expect(after.output).toMatch(/✗ coverage pinned \(PIN_COVERAGE=1\): 15 cells passed in the recorded run of \S+ and lost coverage: findEnsureOtp 204 \(now not covered\), findEnsureOtp 400 \(now not covered\), findRecoveryCodes 200 \(now not covered\)/);
  // The flows lived in the recipes left behind: gone, and named among the cells past the first twelve.
  expect(after.output).toContain('and 3 more. Fix the recipes or the target; to accept the drop, delete reports/history/coverage-pin.json');
  expect(after.output).toContain('verdict: FAILED (the coverage gate above fails it)');
  // Unpinned, the same run passes, and says what it could not cover on its first line.
  const unpinned = await runSuite({ env: { REPORTS_DIR: reportsDir, PHASES: 'none', CONTRACT: moved }, args: ['--no-report'] });
  expect(unpinned.code).toBe(0);
});

test('MIN_PASSED is a floor on passed documented responses and flows', async () => {
  const run = await runSuite({ env: { PHASES: 'none', MIN_PASSED: '20' }, args: ['--no-report'] });
  expect(run.code).toBe(1);
  expect(run.output).toContain('✗ 19 documented responses and flows passed, below the floor MIN_PASSED=20');
  expect((await runSuite({ env: { PHASES: 'none', MIN_PASSED: '19' }, args: ['--no-report'] })).code).toBe(0);
});

test('miss: another API\'s contract without BASE_URL ran against the embedded OTP mock and read as server failures; it is refused, naming BASE_URL', async () => {
  const run = await runSuite({ env: { CONTRACT: resolve(ROOT, 'tests/fixtures/notes/notes.openapi.yaml') }, args: ['--no-report'] });
  expect(run.code).toBe(1);
  expect(run.output).toContain('CONTRACT=tests/fixtures/notes/notes.openapi.yaml documents operations the embedded mock does not serve (listNotes (GET /notes), createNote (POST /notes), getNote (GET /notes/{noteId}), DELETE /notes/{noteId} (DELETE /notes/{noteId}) and 1 more): set BASE_URL to the server that implements it');
  expect(run.coverage).toBeNull();
});

test('miss: a server on 127.0.0.1 was paced at 5 requests a second and nothing said so; the run says it once, with the setting that lifts it', async () => {
  const mock = createMockServer();
  try {
    const run = await runSuite({ env: { BASE_URL: await mock.listen(0), METAL_AUTH_TOKEN: MOCK_IDENTITIES.METAL_AUTH_TOKEN, PHASES: 'none' }, args: ['--no-report', '--grep', 'findRecoveryCodes 200'] });
    expect(run.output.split('\n')[1]).toBe('paced: 5 requests per second per target (the default against a server other than the embedded mock); RATE_LIMIT_RPS=0 lifts it, e.g. for a test server of your own');
    expect(run.output.match(/paced: /g)).toHaveLength(1);
  } finally {
    await mock.close();
  }
});

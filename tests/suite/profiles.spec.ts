/**
 * The verdict follows the contract, not our mock: the suite is green on every
 * profile of legal behaviour the mock has, and a response a server legitimately
 * never gives is "not provoked", which fails only under STRICT_COVERAGE.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer, PROFILE_NAMES } from '../../src/mock';
import { runSuite } from './run-suite';

for (const profile of PROFILE_NAMES) {
  test(`no false alarm on the ${profile} profile: exit 0, every documented response passed or legitimately not provoked`, async () => {
    const run = await runSuite({ env: { MOCK_PROFILE: profile }, args: ['--no-report'] });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    expect(run.keys('failed')).toEqual([]);
    const notProvoked = profile === 'all-401' ? ['findEnsureOtp 400'] : [];
    expect(run.keys('not_provoked')).toEqual(notProvoked);
    expect(run.keys('passed')).toHaveLength(19 - notProvoked.length);
    // The generated phases: nothing failed, and only the operations that take no input have nothing to fuzz.
    expect(run.keys('failed', undefined, ['generated'])).toEqual([]);
    expect(run.keys('skipped', undefined, ['generated'])).toEqual(['findRecoveryCodes · fuzz', 'regenerateCodes · fuzz', 'receiveCodes · fuzz']);
  });
}

test('false alarm: a server answering every rejected code with 401 failed findEnsureOtp 400; it is not provoked, and says what arrived and what was tried', async () => {
  const run = await runSuite({ env: { MOCK_PROFILE: 'all-401' }, args: ['--no-report'] });
  expect(run.cell('findEnsureOtp 400')?.reason).toBe(
    'expected 400, got 401: documented and conforming, so not a violation (fails only under STRICT_COVERAGE=1); tried: punctuation → 401, letters where digits are due → 401, over-long → 401, certainly-wrong code → 401, the code of 10 periods ago → 401, the code of 10 periods ahead → 401; the server said "Invalid one-time password or recovery code"',
  );
  const strict = await runSuite({ env: { MOCK_PROFILE: 'all-401', STRICT_COVERAGE: '1' }, args: ['--no-report'] });
  expect(strict.code).toBe(1);
  expect(strict.output).toContain('✗ findEnsureOtp 400 not provoked (fails under STRICT_COVERAGE=1)');
});

test('false alarm: a listing that leaves out an empty optional list ({}) skipped both flows; the absence counts as empty, so they refill and pass', async () => {
  // Flows alone: no cell regenerates the spent codes before the flows list them.
  const run = await runSuite({ env: { MOCK_PROFILE: 'spent-codes', MOCK_MUTANT: 'empty-code-list-omitted' }, args: ['--no-report', '--grep', 'flow'] });
  expect(run.code, run.output.slice(-2500)).toBe(0);
  expect(run.keys('passed').sort()).toEqual(['flow recovery-code-single-use', 'flow recovery-codes-per-user', 'flow regeneration-rotates-codes']);
  const verdicts = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; exchanges: Array<{ label: string; status: number }> }> }).verdicts;
  // The refill step ran because the list was absent.
  expect(verdicts.find((v) => v.key === 'flow recovery-code-single-use')?.exchanges.map((e) => e.label)).toEqual(['list', 'refill', 'use', 'reuse']);
});

test('false alarm: a server refusing a one-time code already used in this time step (RFC 6238 §5.2); the scenario waits for the next step, and the report shows the wait', async () => {
  test.setTimeout(120_000);
  const period = 2;
  const mock = createMockServer({ profile: 'strict', totpPeriodSeconds: period });
  // Whatever code the suite presents first was spent a moment before (as by a CI re-run): mark its step used, then verify.
  const verify = mock.state.verifyOtp.bind(mock.state);
  let first = true;
  mock.state.verifyOtp = (user, otp) => {
    if (first && user.totp) {
      first = false;
      const now = Date.now();
      const shift = [-1, 0, 1].find((k) => user.totp!.generate({ timestamp: now + k * period * 1000 }) === otp);
      if (shift !== undefined) user.lastTotpStep = Math.floor(now / 1000 / period) + shift;
    }
    return verify(user, otp);
  };
  const baseURL = await mock.listen(0);
  const dir = mkdtempSync(join(tmpdir(), 'totp-'));
  const overrides = join(dir, 'overrides.yaml');
  writeFileSync(overrides, `generators:\n  current-otp: { rfc6238: { secret: METAL_OTP_SECRET, period: ${period} } }\n  wrong-otp: { rfc6238: { secret: METAL_OTP_SECRET, period: ${period} }, pick: invalid }\n`);
  try {
    const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL, SCENARIO_OVERRIDES: overrides }, args: ['--grep', 'findEnsureOtp 204'] });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    expect(run.cell('findEnsureOtp 204')?.outcome).toBe('passed');
    const verdict = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; exchanges: Array<{ status: number; waited?: { why: string } }> }> }).verdicts.find((v) => v.key === 'findEnsureOtp 204')!;
    expect(verdict.exchanges.map((e) => e.status)).toEqual([401, 204]);
    expect(verdict.exchanges[1]?.waited?.why).toMatch(/^waited \d+\.\d s for the next time step of current-otp \(RFC 6238 §5\.2/);
    const allure = readdirSync(join(run.reportsDir, 'allure-results')).filter((f) => f.endsWith('-result.json')).map((f) => readFileSync(join(run.reportsDir, 'allure-results', f), 'utf8'));
    expect(allure.some((r) => r.includes('"name":"findEnsureOtp 204"') && r.includes('for the next time step of current-otp'))).toBe(true);
  } finally {
    await mock.close();
  }
});

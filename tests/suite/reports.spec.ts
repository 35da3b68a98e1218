/**
 * Reports a person can act on: failures in plain words with a reproduction,
 * one set of totals in every output, checks shown for passing tests, and
 * configuration mistakes named with the fix.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer, type MockServer } from '../../src/mock';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { totalsLine } from '../../src/report/coverage';
import { ROOT } from '../helpers';
import { runSuite, type SuiteRun } from './run-suite';

interface AllureResult {
  name: string;
  status: string;
  steps: Array<{ name: string; steps: Array<{ name: string; status: string }>; attachments: Array<{ name: string; source: string }> }>;
  statusDetails?: { message?: string; trace?: string };
}

function allureResults(run: SuiteRun): AllureResult[] {
  const dir = join(run.reportsDir, 'allure-results');
  return readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResult);
}

function junitTotals(run: SuiteRun): { tests: number; failures: number; skipped: number } {
  const head = /<testsuites [^>]*tests="(\d+)" failures="(\d+)" skipped="(\d+)"/.exec(readFileSync(join(run.reportsDir, 'junit.xml'), 'utf8'))!;
  return { tests: Number(head[1]), failures: Number(head[2]), skipped: Number(head[3]) };
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

let numbers: MockServer;
let run: SuiteRun;
test.beforeAll(async () => {
  numbers = createMockServer({ mutant: 'regenerate-200-codes-as-numbers' });
  const baseURL = await numbers.listen(0);
  run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL } });
});
test.afterAll(() => numbers.close());

test('miss: "expected must be string, got 174…(redacted)"; the failure names both types, the location, the test, and a reproduction', () => {
  expect(run.code).toBe(1);
  expect(run.output).toContain('✗ regenerateCodes 200: 200 arrived\n  [response_schema_conformance] body.recovery_codes[0]: expected a string, got a number (value masked)');
  expect(run.output).toMatch(/reproduce: curl -sS -i -X POST 'http:\/\/127\.0\.0\.1:\d+\/metal\/v1\/user\/otp\/recovery-codes' -H 'Accept: application\/json' -H "X-Auth-Token: \$METAL_AUTH_TOKEN"/);
  // No positive rule title beside a failure.
  expect(run.output).not.toContain('Body matches the documented schema');
});

test('no raw token and no partial digits of a secret anywhere in the reports or the console', () => {
  const token = MOCK_IDENTITIES.METAL_AUTH_TOKEN;
  const codes = JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as unknown;
  expect(codes).toBeTruthy();
  const all = [run.output, ...files(run.reportsDir).map((f) => readFileSync(f).toString('latin1'))].join('\n');
  expect(all).not.toContain(token);
  expect(all).not.toContain(token.slice(0, 8));
  expect(run.output).not.toMatch(/\d{3}…/); // the old masking kept a prefix of numbers
});

test('miss: every failed test carried Playwright\'s error-context attachment (addressed to an AI assistant); none reaches reports/', () => {
  const found = files(run.reportsDir).filter((f) => f.includes('error-context'));
  expect(found).toEqual([]);
  for (const r of allureResults(run)) expect(JSON.stringify(r)).not.toContain('error-context');
});

test('one set of totals: console, JUnit, Allure and the coverage matrix count the same cells', () => {
  const totals = run.coverage!.totals;
  const counted = (t: typeof totals.responses) => t.passed + t.failed + t.not_provoked + t.skipped + t.not_covered;
  const cells = counted(totals.responses) + counted(totals.flows) + counted(totals.generated);
  const junit = junitTotals(run);
  const allure = allureResults(run);
  // 16 documented responses, 3 flows, and a coverage and a fuzz phase for each of the 4 operations.
  expect(cells).toBe(27);
  expect(junit.tests).toBe(cells);
  expect(allure).toHaveLength(cells);
  expect(junit.failures).toBe(totals.responses.failed + totals.flows.failed + totals.generated.failed);
  expect(allure.filter((r) => r.status === 'failed')).toHaveLength(junit.failures);
  // The console's totals line is the matrix's, word for word.
  expect(run.output).toContain(`\n${totalsLine(totals)}\n`);
  expect(totalsLine(totals)).toMatch(/^16 documented responses: 15 passed, 1 failed · 3 flows: \d passed, 0 failed(, 1 skipped)? · 8 generated phases: 5 passed, 0 failed, 3 skipped$/);
  // The matrix is an attachment of the report, not an entry counted among the tests.
  expect(allure.map((r) => r.name)).not.toContain('Coverage matrix');
  expect(readdirSync(join(run.reportsDir, 'allure-results')).some((f) => f.endsWith('-globals.json'))).toBe(true);
});

test('miss: a --grep run showed the responses it left out as "not covered"; they are "filtered", and the totals still agree', async () => {
  const grep = await runSuite({ env: { TARGET: 'mock', BASE_URL: (await numbers.listen(0).catch(() => '')) || `http://127.0.0.1:${(numbers.server.address() as net.AddressInfo).port}/metal/v1` }, args: ['--grep', '@findEnsureOtp'] });
  expect(grep.keys('not_covered')).toEqual([]);
  expect(grep.keys('filtered', undefined, ['response', 'flow', 'generated'])).toHaveLength(19);
  expect(grep.output).toContain('3 documented responses: 3 passed, 0 failed');
  expect(grep.output).toContain('19 filtered');
  const junit = junitTotals(grep);
  expect(junit.tests).toBe(allureResults(grep).length);
  expect(junit.tests).toBe(3 + 3 + 2); // the three responses of findEnsureOtp, the three flows that use it and its two generated phases
});

test('passing tests list the checks they ran: in Allure as steps, in JUnit as properties', () => {
  const list = allureResults(run).find((r) => r.name === 'findRecoveryCodes 200')!;
  expect(list.status).toBe('passed');
  expect(list.steps[0]!.steps.map((s) => s.name)).toEqual([
    '✓ transport_error: an HTTP response arrived',
    '✓ not_a_server_error: no server error',
    '✓ status_code_conformance: the status is documented',
    '✓ content_type_conformance: the Content-Type is a documented media type',
    '✓ response_schema_conformance: the body matches the documented schema',
  ]);
  expect(list.steps[0]!.attachments.map((a) => a.name)).toEqual(['request', 'response', 'reproduce with curl']);
  const junit = readFileSync(join(run.reportsDir, 'junit.xml'), 'utf8');
  expect(junit).toMatch(/<testcase name="findRecoveryCodes 200"[^>]*><properties><property name="outcome" value="passed"\/><property name="check\.transport_error" value="passed"\/>/);
  const failing = allureResults(run).find((r) => r.name === 'regenerateCodes 200')!;
  expect(failing.statusDetails?.message).toContain('[response_schema_conformance] body.recovery_codes[0]: expected a string, got a number (value masked)');
  expect(failing.statusDetails?.trace).toContain('curl -sS -i -X POST');
});

test('operations appear in contract order in the report tree', () => {
  const order = allureResults(run).map((r) => r.name);
  expect(order.length).toBe(27);
  const md = readFileSync(join(run.reportsDir, 'coverage.md'), 'utf8');
  const positions = ['findEnsureOtp 204', 'findRecoveryCodes 200', 'regenerateCodes 200', 'receiveCodes 204', 'flow recovery-code-single-use'].map((k) => md.indexOf(k));
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
});

test('miss: a run that stopped before its tests left the previous report in place; it now says there is no report for this run', async () => {
  const reportsDir = mkdtempSync(join(tmpdir(), 'stale-'));
  const first = await runSuite({ env: { REPORTS_DIR: reportsDir }, args: ['--grep', 'findRecoveryCodes 200'] });
  expect(first.code, first.output.slice(-1500)).toBe(0);
  expect(readFileSync(join(reportsDir, 'allure-report', 'index.html'), 'utf8').length).toBeGreaterThan(100_000);
  const aborted = await runSuite({ env: { REPORTS_DIR: reportsDir, BASE_URL: 'http://127.0.0.1:9/metal/v1', TARGET: 'mock' } });
  expect(aborted.code).toBe(1);
  const page = readFileSync(join(reportsDir, 'allure-report', 'index.html'), 'utf8');
  expect(page).toContain('No report for this run');
  expect(page).toContain('stopped before its tests');
  // A setting rejected while Playwright loads its config (before global setup) does the same.
  const again = await runSuite({ env: { REPORTS_DIR: reportsDir }, args: ['--grep', 'findRecoveryCodes 200'] });
  expect(again.code, again.output.slice(-1500)).toBe(0);
  const misconfigured = await runSuite({ env: { REPORTS_DIR: reportsDir, WORKERS: 'many' } });
  expect(misconfigured.code).toBe(1);
  expect(misconfigured.output).toContain('WORKERS=many');
  expect(readFileSync(join(reportsDir, 'allure-report', 'index.html'), 'utf8')).toMatch(/No report for this run.*ran nothing: .*WORKERS=many/s);
});

test('a misspelt override fails the run naming the file, line, column and the near miss', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'typo-'));
  const file = join(dir, 'overrides.yaml');
  writeFileSync(file, 'recipes:\n  recieveCodes 500: { skip: no gateway }\n');
  const typo = await runSuite({ env: { SCENARIO_OVERRIDES: file } });
  expect(typo.code).toBe(1);
  expect(typo.output.trim()).toBe(`Configuration problems (nothing was run):\n  - ${file}:2:3: unknown operation "recieveCodes" (did you mean "receiveCodes"?)`);
});

test.describe('ports', () => {
  let blocker: net.Server;
  let port = 0;
  test.beforeAll(async () => {
    blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    port = (blocker.address() as net.AddressInfo).port;
  });
  test.afterAll(() => new Promise<void>((r) => blocker.close(() => r())));

  test('miss: a busy mock port gave a bare EADDRINUSE; it names MOCK_PORT', async () => {
    const busy = await runSuite({ env: { MOCK_PORT: String(port) } });
    expect(busy.code).toBe(1);
    expect(busy.output).toContain(`MOCK_PORT=${port}: the port is in use. Set MOCK_PORT to a free port, or leave it unset (any free port).`);
  });

  test('miss: report:open ignored --port and printed a stack trace on a busy port', async () => {
    const reportsDir = mkdtempSync(join(tmpdir(), 'serve-'));
    const first = await runSuite({ env: { REPORTS_DIR: reportsDir }, args: ['--grep', 'findRecoveryCodes 200'] });
    expect(existsSync(join(reportsDir, 'allure-report', 'index.html')), first.output.slice(-500)).toBe(true);
    const output = await new Promise<{ code: number | null; text: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/serve-report.ts'), '--port', String(port)], { cwd: ROOT, env: { ...process.env, REPORTS_DIR: reportsDir } });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => done({ code, text }));
    });
    expect(output.code).toBe(2);
    expect(output.text.trim()).toBe(`Port ${port} on 127.0.0.1 is in use: choose another with --port N (or PORT=N), e.g. npm run report:open -- --port 4041`);
  });
});

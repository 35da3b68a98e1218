/**
 * The generated phases end to end: the same FUZZ_SEED sends the same requests, a failure file replays what
 * failed, and the phases find what no recipe aims at (a crash on long input) with the shrunk input named.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer } from '../../src/mock';
import type { FailureRecord } from '../../src/report/verdict';
import { ROOT } from '../helpers';
import { NOTES_KEY, startNotesServer, type RecordedRequest } from '../fixtures/notes/server';
import { runSuite } from './run-suite';

const NOTES = resolve(ROOT, 'tests/fixtures/notes/notes.openapi.yaml');

/** What a server received from the generated phases, in order (the preflight's probes carry no key). */
async function generatedRequests(seed: string): Promise<string[]> {
  const server = await startNotesServer();
  try {
    const run = await runSuite({ env: { CONTRACT: NOTES, TARGET: 'mock', BASE_URL: server.baseURL, NOTES_API_KEY: NOTES_KEY, ALLOW_WRITES: '1', FUZZ_SEED: seed }, args: ['--no-report', '--grep', '@coverage|@fuzz'] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.output.split('\n')[0]).toContain(`FUZZ_SEED=${seed}`);
    return server.requests.filter((r: RecordedRequest) => r.auth === 'valid').map((r) => `${r.method} ${r.path}?${r.query} ${r.body ?? ''}`);
  } finally {
    await server.close();
  }
}

test('the same FUZZ_SEED sends the same requests, byte for byte; another seed sends others', async () => {
  test.setTimeout(240_000);
  const [first, again, other] = await Promise.all([generatedRequests('12345'), generatedRequests('12345'), generatedRequests('54321')]);
  expect(first.length).toBeGreaterThan(200);
  expect(again).toEqual(first);
  expect(other).not.toEqual(first);
});

function replay(file: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/replay.ts'), file], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ENV_FILE: '/dev/null', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

test('miss: a server crashing on a long one-time password passed; the fuzz phase finds it, shrinks the input, and npm run replay sends it again', async () => {
  const run = await runSuite({ env: { MOCK_MUTANT: 'verify-500-on-long-otp', PHASES: 'fuzz', FUZZ_SEED: '1' }, args: ['--no-report'] });
  expect(run.code).toBe(1);
  const cell = run.cell('findEnsureOtp · fuzz')!;
  expect(cell.outcome).toBe('failed');
  const lines = cell.failures[0]!;
  expect(lines[1]).toBe('[not_a_server_error] status: expected no server error (a 5xx says the server failed, RFC 9110 §15.6), got 500');
  // Shrunk to the shortest length that still crashes: 33 characters (the mutant's limit is 32), the value itself masked.
  expect(lines).toContainEqual('  shrunk input (fuzz phase, FUZZ_SEED=1): path otp: ‹masked string› (33 characters)');
  expect(lines.find((l) => l.startsWith('  found as: '))).toMatch(/^ {2}found as: path otp: ‹masked string› \(\d+ characters\) \(shrunk in \d+ steps?, \d+ requests?\)$/);
  const file = join(run.reportsDir, 'failures', 'findEnsureOtp-fuzz.json');
  expect(resolve(ROOT, cell.replay!)).toBe(file);
  expect(run.output).toContain(`replay: npm run replay -- ${cell.replay}`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as FailureRecord;
  expect(record).toMatchObject({ cell: 'findEnsureOtp · fuzz', target: { name: 'mock', mock: { mutant: 'verify-500-on-long-otp' } }, failures: [{ check: 'not_a_server_error', replay: { phase: 'fuzz', seed: 1, operationId: 'findEnsureOtp' } }] });
  // The embedded mock of the run is gone: replay starts one with the same mutant and sends the shrunk input again.
  const again = await replay(file);
  expect(again.code, again.output).toBe(1);
  expect(again.output).toContain('sent again: the shrunk input → 500');
  expect(again.output).toContain('1 of 1 failure reproduced');
  // Against a fixed server, the same input now holds.
  const fixed = createMockServer();
  try {
    const held = await replay(file, { BASE_URL: await fixed.listen(0), TARGET: 'mock' });
    expect(held.code, held.output).toBe(0);
    expect(held.output).toContain('no failure reproduced: every answer holds now');
  } finally {
    await fixed.close();
  }
});

test('the coverage phase finds a crash on non-ASCII input and an undocumented method that succeeds, naming the input; each failure file replays', async () => {
  for (const [mutant, cellKey, check, label] of [
    ['verify-500-on-non-ascii-otp', 'findEnsureOtp · coverage', 'not_a_server_error', 'path otp: accented letters'],
    ['undocumented-delete-succeeds', 'findRecoveryCodes · coverage', 'unsupported_method', 'DELETE, a method the contract does not document for /user/otp/recovery-codes'],
  ] as const) {
    const run = await runSuite({ env: { MOCK_MUTANT: mutant, PHASES: 'coverage' }, args: ['--no-report'] });
    expect(run.code).toBe(1);
    const cell = run.cell(cellKey)!;
    expect(cell.failures[0]?.[0]).toContain(`${cellKey}, ${label} `);
    expect(cell.failures[0]?.[1]).toMatch(new RegExp(`^\\[${check}\\]`));
    const again = await replay(join(run.reportsDir, 'failures', `${cellKey.replace(' · ', '-')}.json`));
    expect(again.code, again.output).toBe(1);
    expect(again.output).toContain(`sent again: ${label} →`);
  }
});

test('bad input to npm run replay gets a clear message and exit 2', async () => {
  const missing = await replay('reports/failures/nothing-here.json');
  expect(missing.code).toBe(2);
  expect(missing.output).toContain('nothing-here.json: file not found; failure files are written under reports/failures/');
  const notOurs = await replay(resolve(ROOT, 'package.json'));
  expect(notOurs.code).toBe(2);
  expect(notOurs.output).toContain('not a failure file of this suite');
});

test('MAX_REQUESTS bounds the generated phases: what the budget leaves out is named, and nothing beyond it is sent', async () => {
  const mock = createMockServer();
  let seen = 0;
  mock.server.on('request', () => seen++);
  try {
    const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: await mock.listen(0), MAX_REQUESTS: '40' }, args: ['--no-report'] });
    expect(seen).toBeLessThanOrEqual(40 + 4); // the preflight's probes come on top of the budget
    const notes = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; outcome: string; reason?: string; notes?: string[] }> }).verdicts.filter((v) => v.key.includes(' · '));
    expect(notes.some((v) => v.outcome === 'skipped' && v.reason === 'not run: the request budget of 40 is spent (MAX_REQUESTS)')).toBe(true);
  } finally {
    await mock.close();
  }
});

test('MAX_RESPONSE_TIME_MS fails an exchange slower than the budget, recipes and generated alike, naming the time measured and the setting', async () => {
  const run = await runSuite({ env: { MOCK_MUTANT: 'slow-150ms', MAX_RESPONSE_TIME_MS: '100', FUZZ_RUNS: '2' }, args: ['--no-report', '--grep', 'findRecoveryCodes 200|findEnsureOtp · fuzz'] });
  expect(run.code).toBe(1);
  expect(run.cell('findRecoveryCodes 200')?.failures[0]?.[1]).toMatch(/^\[max_response_time\] response time: expected an answer within 100 ms \(MAX_RESPONSE_TIME_MS\), got an answer after \d+ ms$/);
  expect(run.cell('findEnsureOtp · fuzz')?.failures[0]?.[1]).toMatch(/^\[max_response_time\] /);
  // Without the setting the same slow server passes: a budget is opt-in.
  const unbudgeted = await runSuite({ env: { MOCK_MUTANT: 'slow-150ms', FUZZ_RUNS: '2' }, args: ['--no-report', '--grep', 'findRecoveryCodes 200'] });
  expect(unbudgeted.code).toBe(0);
});

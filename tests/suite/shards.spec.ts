/** Two shards + merge give the same coverage matrix as one unsharded run, and one Allure report. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer } from '../../src/mock';
import type { CoverageMatrix } from '../../src/report/coverage';
import { ROOT } from '../helpers';
import { runSuite } from './run-suite';

const outcomes = (m: CoverageMatrix) => m.cells.map((c) => `${c.target} ${c.operationId} ${c.status} ${c.outcome}`).sort();

function merge(reportsDir: string, shards: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'scripts/merge.ts'), ...shards], { cwd: ROOT, env: { ...process.env, REPORTS_DIR: reportsDir } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

test('2 shards merged equal 1 unsharded run', async () => {
  test.setTimeout(180_000);
  const mock = createMockServer();
  const baseURL = await mock.listen(0);
  try {
    const env = { TARGET: 'mock', BASE_URL: baseURL, BLOB_REPORT: '1' };
    const whole = await runSuite({ env });
    const one = await runSuite({ env, args: ['--shard=1/2'] });
    const two = await runSuite({ env, args: ['--shard=2/2'] });
    for (const r of [whole, one, two]) expect(r.code, r.output.slice(-1500)).toBe(0);
    expect(one.coverage!.totals.not_covered).toBeGreaterThan(0); // each shard ran only part
    expect(two.coverage!.totals.not_covered).toBeGreaterThan(0);
    const merged = mkdtempSync(join(tmpdir(), 'otp-merged-'));
    const m = await merge(merged, [one.reportsDir, two.reportsDir]);
    expect(m.code, m.output).toBe(0);
    const matrix = JSON.parse(readFileSync(join(merged, 'coverage.json'), 'utf8')) as CoverageMatrix;
    expect(outcomes(matrix)).toEqual(outcomes(whole.coverage!));
    expect(matrix.totals).toEqual(whole.coverage!.totals);
    expect(existsSync(join(merged, 'allure-report', 'index.html'))).toBe(true);
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8').match(/<testcase /g)).toHaveLength(18);
  } finally {
    await mock.close();
  }
});

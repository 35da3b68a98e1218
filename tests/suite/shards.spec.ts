/** Two shards merged equal one unsharded run: the same cells, outcomes and totals, one Allure report, one JUnit file. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer, type MockServer } from '../../src/mock';
import type { CoverageMatrix } from '../../src/report/coverage';
import { ROOT } from '../helpers';
import { runSuite } from './run-suite';

const outcomes = (m: CoverageMatrix) => m.cells.map((c) => `${c.key} ${c.outcome}`).sort();

function merge(reportsDir: string, shards: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'scripts/merge.ts'), ...shards], { cwd: ROOT, env: { ...process.env, REPORTS_DIR: reportsDir } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

test('2 shards merged equal 1 unsharded run', async () => {
  // Scenarios change server state: each shard gets its own server, as the README asks.
  const servers: MockServer[] = [createMockServer(), createMockServer(), createMockServer()];
  const [whole, first, second] = await Promise.all(servers.map((s) => s.listen(0)));
  try {
    // One name for the three servers: reports, history and the merge tell targets apart by name.
    const env = (baseURL: string) => ({ TARGET: 'mock', BASE_URL: baseURL, TARGET_NAME: 'otp' });
    const all = await runSuite({ env: env(whole!), args: ['--no-report'] });
    const one = await runSuite({ env: env(first!), args: ['--shard=1/2', '--no-report'] });
    const two = await runSuite({ env: env(second!), args: ['--shard=2/2', '--no-report'] });
    for (const r of [all, one, two]) expect(r.code, r.output.slice(-1500)).toBe(0);
    // Each shard ran about half of the 27 cells; what the other runs is filtered, not "not covered".
    const every: Array<'response' | 'flow' | 'generated'> = ['response', 'flow', 'generated'];
    expect(one.keys('filtered', undefined, every).length).toBe(13);
    expect(two.keys('filtered', undefined, every).length).toBe(14);
    expect([...one.keys('filtered', undefined, every), ...two.keys('filtered', undefined, every)].sort()).toEqual(all.coverage!.cells.map((c) => c.key).sort());
    expect(one.cell(two.keys('passed')[0]!)?.reason).toBe('--shard 1/2 (another shard runs it)');
    const merged = mkdtempSync(join(tmpdir(), 'otp-merged-'));
    const m = await merge(merged, [one.reportsDir, two.reportsDir]);
    expect(m.code, m.output).toBe(0);
    const matrix = JSON.parse(readFileSync(join(merged, 'coverage.json'), 'utf8')) as CoverageMatrix;
    expect(outcomes(matrix)).toEqual(outcomes(all.coverage!));
    expect(matrix.totals).toEqual(all.coverage!.totals);
    expect(existsSync(join(merged, 'allure-report', 'index.html'))).toBe(true);
    expect(readFileSync(join(merged, 'junit.xml'), 'utf8').match(/<testcase /g)).toHaveLength(27);
    expect(m.output).toContain('merged 2 shards: 16 documented responses: 16 passed, 0 failed · 3 flows: 3 passed, 0 failed · 8 generated phases: 5 passed, 0 failed, 3 skipped');
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

/** Runs the real conformance suite in a child process (async, so in-process test servers keep serving). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CoverageCell, CoverageMatrix } from '../../src/report/coverage';
import { ROOT } from '../helpers';

export interface SuiteRun {
  code: number | null;
  output: string;
  reportsDir: string;
  coverage: CoverageMatrix | null;
  /** The cell of a target (the only one when there is one) by key, e.g. `findEnsureOtp 400` or `flow x`. */
  cell(key: string, target?: string): CoverageCell | undefined;
  /** Keys of the cells with this outcome: documented responses and flows, unless `kinds` says otherwise (generated phases are asked for by name). */
  keys(outcome: CoverageCell['outcome'], target?: string, kinds?: Array<CoverageCell['kind']>): string[];
}

export interface SuiteOptions {
  env?: Record<string, string>;
  /** Options of `npm run conformance` (--grep, --shard, --no-report, ...). */
  args?: string[];
  timeoutMs?: number;
}

/** Every run's reports directory, removed when the test worker exits; KEEP_SUITE_REPORTS=1 keeps them for inspection. */
const made: string[] = [];
process.on('exit', () => {
  if (process.env.KEEP_SUITE_REPORTS !== '1') for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function runSuite(options: SuiteOptions = {}): Promise<SuiteRun> {
  const reportsDir = mkdtempSync(join(tmpdir(), 'otp-suite-'));
  made.push(reportsDir);
  // ENV_FILE=/dev/null: a developer's .env (staging tokens) must not leak into these runs.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: '1', REPORTS_DIR: reportsDir, ENV_FILE: '/dev/null', ...options.env };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'scripts/conformance.mjs'), ...(options.args ?? [])], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const file = join(reportsDir, 'coverage.json');
      const coverage = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CoverageMatrix) : null;
      const mine = (target?: string) => (coverage?.cells ?? []).filter((c) => target === undefined || c.target === target);
      done({
        code,
        output,
        reportsDir,
        coverage,
        cell: (key, target) => mine(target).find((c) => c.key === key),
        keys: (outcome, target, kinds = ['response', 'flow']) => mine(target).filter((c) => c.outcome === outcome && kinds.includes(c.kind)).map((c) => c.key),
      });
    });
  });
}

/** Runs the real conformance suite in a child process (async, so in-process test servers keep serving). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CoverageMatrix } from '../../src/report/coverage';
import { ROOT } from '../helpers';

export interface SuiteRun {
  code: number | null;
  output: string;
  durationMs: number;
  reportsDir: string;
  coverage: CoverageMatrix | null;
}

export interface SuiteOptions {
  env?: Record<string, string>;
  args?: string[];
  /** Through scripts/conformance.ts, which also generates the Allure HTML report. */
  withHtmlReport?: boolean;
  timeoutMs?: number;
}

export function runSuite(options: SuiteOptions = {}): Promise<SuiteRun> {
  const reportsDir = mkdtempSync(join(tmpdir(), 'otp-suite-'));
  const entry = options.withHtmlReport
    ? [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), resolve(ROOT, 'scripts/conformance.ts')]
    : [resolve(ROOT, 'node_modules/@playwright/test/cli.js'), 'test', '--config', resolve(ROOT, 'playwright.config.ts')];
  // ENV_FILE=/dev/null: a developer's .env (staging tokens) must not leak into these runs.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: '1', REPORTS_DIR: reportsDir, ENV_FILE: '/dev/null', ...options.env };
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...entry, ...(options.args ?? [])], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      const file = join(reportsDir, 'coverage.json');
      const coverage = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CoverageMatrix) : null;
      done({ code, output, durationMs: performance.now() - started, reportsDir, coverage });
    });
  });
}

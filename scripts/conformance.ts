/**
 * `npm run conformance [-- <playwright args>]`: the conformance run, then the
 * Allure HTML report (also when tests failed). Exit code: Playwright's, or 2
 * when the report could not be generated.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { stripAnalytics } from '../src/report/allure-html';
import { reportPaths } from '../src/report/paths';
import { ConfigError, readTargetConfig } from '../src/target/config';
import { readTargetsFile } from '../src/target/targets';

const root = resolve(__dirname, '..');
const paths = reportPaths();
try {
  readTargetConfig();
  readTargetsFile(process.env.TARGETS);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// A run that stops before its tests must not leave the previous run's results to be reported.
rmSync(paths.allureResults, { recursive: true, force: true });
const env: NodeJS.ProcessEnv = { ...process.env };

const args = process.argv.slice(2);
const noReport = args.includes('--no-report');
const run = spawnSync(
  process.execPath,
  [resolve(root, 'node_modules/@playwright/test/cli.js'), 'test', '--config', resolve(root, 'playwright.config.ts'), ...args.filter((a) => a !== '--no-report')],
  { stdio: 'inherit', env, cwd: process.cwd() },
);
let code = run.status ?? 1;

if (!noReport && existsSync(paths.allureResults) && readdirSync(paths.allureResults).some((f) => f.endsWith('-result.json'))) {
  const started = performance.now();
  const report = spawnSync(
    process.execPath,
    [resolve(root, 'node_modules/allure/cli.js'), 'generate', paths.allureResults, '--config', resolve(root, 'allurerc.mjs'), '--output', paths.allureReport],
    { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: root, encoding: 'utf8' },
  );
  if (report.status === 0) {
    stripAnalytics(resolve(paths.allureReport, 'index.html'));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`Allure report: ${relative(process.cwd(), paths.allureReport)}/index.html (${seconds} s; open it in a browser, or npm run report:open)\n`);
  } else {
    process.stderr.write(`Allure report generation failed:\n${report.stdout}${report.stderr}\n`);
    if (code === 0) code = 2;
  }
}
process.exit(code);

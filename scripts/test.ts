/**
 * `npm test` (after typecheck): the project's own tests, then the conformance
 * run against the embedded mock. Ends with `N passed, N failed, N skipped`
 * counted from both runs' JSON reports (also written to reports/test-summary.txt).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { reportPaths } from '../src/report/paths';

const root = resolve(__dirname, '..');
const paths = reportPaths();
const selfJson = resolve(paths.root, 'self-tests.json');
const playwright = resolve(root, 'node_modules/@playwright/test/cli.js');

interface Stats {
  expected: number;
  unexpected: number;
  flaky: number;
  skipped: number;
}

function stats(file: string): Stats | null {
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { stats: Stats }).stats;
}

// The project's tests always judge the embedded mock: target settings from the shell or a .env are dropped.
const TARGET_SETTINGS = /^(TARGET|TARGETS|BASE_URL|CONTRACT|TAGS?|METAL_.*|ALLOW_WRITES|STRICT_COVERAGE|SCENARIO_OVERRIDES|RATE_LIMIT_RPS|MAX_REQUESTS|REQUEST_TIMEOUT_MS|CA_FILE|INSECURE_TLS|MOCK_PORT|WORKERS)$/;
const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !TARGET_SETTINGS.test(k))), ENV_FILE: '/dev/null' };

function run(label: string, args: string[]): number {
  process.stdout.write(`\n== ${label} ==\n`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env });
  return result.status ?? 1;
}

mkdirSync(paths.root, { recursive: true });
rmSync(selfJson, { force: true });
rmSync(paths.json, { force: true });
rmSync(resolve(paths.root, 'mutation-score.md'), { force: true });
const passThrough = process.argv.slice(2);
const selfCode = run('project tests', [playwright, 'test', '--config', resolve(root, 'tests/playwright.config.ts'), ...passThrough]);
const conformanceCode = run('conformance run against the embedded mock', [
  resolve(root, 'node_modules/tsx/dist/cli.mjs'),
  resolve(root, 'scripts/conformance.ts'),
]);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [file, code] of [
  [selfJson, selfCode],
  [paths.json, conformanceCode],
] as const) {
  const s = stats(file);
  if (!s) {
    failed++; // a run that wrote no report did not run its tests: count it as one failure
    process.stdout.write(`no results in ${file} (exit code ${code})\n`);
    continue;
  }
  passed += s.expected;
  failed += s.unexpected + s.flaky;
  skipped += s.skipped;
  if (code !== 0 && s.unexpected + s.flaky === 0) failed++; // e.g. STRICT_COVERAGE or report generation failed
}
const score = resolve(paths.root, 'mutation-score.md');
if (existsSync(score)) process.stdout.write(`\n${readFileSync(score, 'utf8').split('\n').find((l) => l.startsWith('mutants killed')) ?? ''}\n`);
const summary = `${passed} passed, ${failed} failed, ${skipped} skipped`;
writeFileSync(resolve(paths.root, 'test-summary.txt'), `${summary}\n`);
process.stdout.write(`\n${summary}\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

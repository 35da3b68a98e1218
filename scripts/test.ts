/**
 * `npm test` (after typecheck): the project's own tests, then the conformance
 * run against the embedded mock. Ends with `N passed, N failed, N skipped`
 * counted from both runs' results (also written to reports/test-summary.txt):
 * the project's Playwright tests, and the conformance run's cells (documented
 * responses and flows; not provoked, skipped and not covered count as skipped).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { reportPaths } from '../src/report/paths';
import type { CellVerdict } from '../src/report/verdict';

const root = resolve(__dirname, '..');
const paths = reportPaths();
const selfJson = resolve(paths.root, 'self-tests.json');

// The project's tests always judge the embedded mock: target settings from the shell or a .env are dropped.
const TARGET_SETTINGS = /^(TARGET|TARGETS|TARGET_NAME|BASE_URL|CONTRACT|RECIPES|TAGS?|METAL_.*|ALLOW_WRITES|STRICT_COVERAGE|SCENARIO_OVERRIDES|RATE_LIMIT_RPS|MAX_REQUESTS|REQUEST_TIMEOUT_MS|CA_FILE|INSECURE_TLS|MOCK_.*|WORKERS|CONTRACT_SUITE_.*)$/;
const env: NodeJS.ProcessEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !TARGET_SETTINGS.test(k))), ENV_FILE: '/dev/null' };

function run(label: string, args: string[]): number {
  process.stdout.write(`\n== ${label} ==\n`);
  return spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env }).status ?? 1;
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function selfCounts(code: number): Counts {
  if (!existsSync(selfJson)) return { passed: 0, failed: 1, skipped: 0 }; // a run that wrote no report did not run its tests
  const { stats } = JSON.parse(readFileSync(selfJson, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };
  const failed = stats.unexpected + stats.flaky;
  return { passed: stats.expected, failed: failed + (code !== 0 && failed === 0 ? 1 : 0), skipped: stats.skipped };
}

function conformanceCounts(code: number): Counts {
  if (!existsSync(paths.json)) return { passed: 0, failed: 1, skipped: 0 };
  const { verdicts } = JSON.parse(readFileSync(paths.json, 'utf8')) as { verdicts: CellVerdict[] };
  const count = (...outcomes: string[]) => verdicts.filter((v) => outcomes.includes(v.outcome)).length;
  const failed = count('failed');
  return { passed: count('passed'), failed: failed + (code !== 0 && failed === 0 ? 1 : 0), skipped: count('not_provoked', 'skipped', 'not_covered') };
}

mkdirSync(paths.root, { recursive: true });
for (const f of [selfJson, paths.json, resolve(paths.root, 'mutation-score.md')]) rmSync(f, { force: true });
const selfCode = run('project tests', [resolve(root, 'node_modules/@playwright/test/cli.js'), 'test', '--config', resolve(root, 'tests/playwright.config.ts'), ...process.argv.slice(2)]);
const conformanceCode = run('conformance run against the embedded mock', [resolve(root, 'scripts/conformance.mjs')]);

const totals = [selfCounts(selfCode), conformanceCounts(conformanceCode)].reduce((a, b) => ({ passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped }));
const score = resolve(paths.root, 'mutation-score.md');
if (existsSync(score)) process.stdout.write(`\n${readFileSync(score, 'utf8').split('\n').filter((l) => l.startsWith('mutants killed') || l.startsWith('profile')).join('\n')}\n`);
const summary = `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`;
writeFileSync(resolve(paths.root, 'test-summary.txt'), `${summary}\n`);
process.stdout.write(`\n${summary}\n`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);

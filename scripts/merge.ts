/**
 * `npm run merge -- <shard reports dir>...`: one Allure report, one coverage
 * matrix and one JUnit file from the reports/ folders of several shards.
 * Allure results are copied together; coverage matrices merge cell by cell;
 * JUnit comes from Playwright's merge-reports over the shards' blob reports.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { stripAnalytics } from '../src/report/allure-html';
import { writeCoverageResult } from '../src/report/allure-results';
import { mergeMatrices, renderMarkdown, type CoverageMatrix } from '../src/report/coverage';
import { reportPaths } from '../src/report/paths';
import { envFlag } from '../src/target/config';

const root = resolve(__dirname, '..');
const shards = process.argv.slice(2).map((d) => resolve(d));
if (shards.length === 0) {
  process.stderr.write('usage: npm run merge -- <shard reports dir> [<shard reports dir>...]\n');
  process.exit(2);
}
const out = reportPaths();
const problems = shards.filter((d) => !existsSync(join(d, 'coverage.json'))).map((d) => `${d}: no coverage.json (is it a shard's reports/ folder?)`);
if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(2);
}

rmSync(out.allureResults, { recursive: true, force: true });
mkdirSync(out.allureResults, { recursive: true });
let copied = 0;
for (const shard of shards) {
  const dir = join(shard, 'allure-results');
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    // Each shard wrote its own "Coverage matrix" result; the merged one replaces them.
    if (name.endsWith('-result.json') && (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { name?: string }).name === 'Coverage matrix') continue;
    copyFileSync(join(dir, name), join(out.allureResults, name));
    copied++;
  }
}

const matrix = mergeMatrices(shards.map((d) => JSON.parse(readFileSync(join(d, 'coverage.json'), 'utf8')) as CoverageMatrix));
mkdirSync(out.root, { recursive: true });
writeFileSync(out.coverageJson, `${JSON.stringify(matrix, null, 2)}\n`);
const markdown = renderMarkdown(matrix);
writeFileSync(out.coverageMd, markdown);
const { passed, failed, skipped, not_covered } = matrix.totals;
writeCoverageResult(out.allureResults, matrix, markdown, ` (${shards.length} shards)`);

const blobs = shards.map((d) => join(d, 'blob-report')).filter((d) => existsSync(d));
if (blobs.length) {
  // merge-reports reads one folder of blob zips.
  const all = mkdtempSync(join(tmpdir(), 'otp-blobs-'));
  for (const dir of blobs) for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(all, `${basename(dirname(dir))}-${f}`));
  const merged = spawnSync(process.execPath, [resolve(root, 'node_modules/@playwright/test/cli.js'), 'merge-reports', '--reporter', 'junit', all], {
    cwd: root,
    env: { ...process.env, PLAYWRIGHT_JUNIT_OUTPUT_FILE: out.junit },
    encoding: 'utf8',
  });
  if (merged.status !== 0) process.stderr.write(`merge-reports failed:\n${merged.stdout}${merged.stderr}\n`);
}

const report = spawnSync(process.execPath, [resolve(root, 'node_modules/allure/cli.js'), 'generate', out.allureResults, '--config', resolve(root, 'allurerc.mjs'), '--output', out.allureReport], { cwd: root, encoding: 'utf8' });
if (report.status !== 0) {
  process.stderr.write(`Allure report generation failed:\n${report.stdout}${report.stderr}\n`);
  process.exit(2);
}
stripAnalytics(join(out.allureReport, 'index.html'));
process.stdout.write(`merged ${shards.length} shards (${copied} Allure files): ${passed} passed, ${failed} failed, ${skipped} skipped, ${not_covered} not covered\n`);
process.stdout.write(`reports: ${out.coverageMd}, ${out.junit}, ${join(out.allureReport, 'index.html')}\n`);
const strict = envFlag('STRICT_COVERAGE');
const failedFlows = matrix.cells.filter((c) => c.status === 'flow' && c.outcome === 'failed').length;
if (strict && skipped + not_covered > 0) process.stdout.write('STRICT_COVERAGE: skipped or not covered documented responses fail the merge\n');
process.exit(failed + failedFlows > 0 || (strict && skipped + not_covered > 0) ? 1 : 0);

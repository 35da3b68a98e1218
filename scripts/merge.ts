/**
 * `npm run merge -- <shard reports dir>...`: one Allure report, one coverage
 * matrix, one JUnit file and one results.json from the reports/ folders of
 * several shards (`npm run conformance -- --shard=i/n --no-report`).
 * Exit code: 0 all passed, 1 a failure (or a gap under STRICT_COVERAGE, lost coverage under PIN_COVERAGE, a floor under MIN_PASSED), 2 bad arguments or no report.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AllureCellWriter } from '../src/report/allure-writer';
import { generateHtmlReport } from '../src/report/allure-html';
import { failing, gateProblems, mergeMatrices, renderMarkdown, totalsLine, type CoverageMatrix } from '../src/report/coverage';
import { applyGate, recordCoverage } from '../src/report/pin';
import { TRUTHY } from '../src/settings/config';
import { renderJunit } from '../src/report/junit';
import { reportPaths } from '../src/report/paths';
import type { CellVerdict } from '../src/report/verdict';

async function main(): Promise<number> {
  const shards = process.argv.slice(2).map((d) => resolve(d));
  if (shards.length === 0) {
    process.stderr.write('usage: npm run merge -- <shard reports dir> [<shard reports dir>...]\n');
    return 2;
  }
  const missing = shards.filter((d) => !existsSync(join(d, 'coverage.json')));
  if (missing.length) {
    process.stderr.write(missing.map((d) => `${d}: no coverage.json (is it a shard's reports/ folder?)`).join('\n') + '\n');
    return 2;
  }
  const out = reportPaths();
  rmSync(out.allureResults, { recursive: true, force: true });
  mkdirSync(out.allureResults, { recursive: true });
  for (const shard of shards) {
    const dir = join(shard, 'allure-results');
    if (existsSync(dir)) for (const name of readdirSync(dir)) copyFileSync(join(dir, name), join(out.allureResults, name));
  }
  const matrix = mergeMatrices(shards.map((d) => JSON.parse(readFileSync(join(d, 'coverage.json'), 'utf8')) as CoverageMatrix));
  // The gate of the whole: shards each see part of the cells, the merge sees them all (PIN_COVERAGE, MIN_PASSED).
  applyGate(out.coveragePin, matrix, { coverage: TRUTHY.test(process.env.PIN_COVERAGE ?? ''), minPassed: Number(process.env.MIN_PASSED) || 0 });
  const failed = failing(matrix).length > 0 || gateProblems(matrix).length > 0;
  const verdicts = shards.flatMap((d) => (existsSync(join(d, 'results.json')) ? (JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as { verdicts: CellVerdict[] }).verdicts : []));
  const markdown = renderMarkdown(matrix);
  writeFileSync(out.coverageJson, `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(out.coverageMd, markdown);
  writeFileSync(out.junit, renderJunit(matrix, new Map(verdicts.map((v) => [`${v.target}\u0000${v.key}`, v.durationMs]))));
  writeFileSync(out.json, `${JSON.stringify({ schemaVersion: 2, status: failed ? 'failed' : 'passed', totals: matrix.totals, verdicts }, null, 2)}\n`);
  const writer = new AllureCellWriter({ resultsDir: out.allureResults, contractTitle: matrix.contract.title, multiTarget: matrix.targets.length > 1, strictCoverage: matrix.strictCoverage });
  writer.attachGlobal('coverage matrix', 'text/markdown', markdown, 'md');
  let html: string;
  try {
    html = await generateHtmlReport({ name: `${matrix.contract.title} ${matrix.contract.version}: conformance`, resultsDir: out.allureResults, outputDir: out.allureReport, historyPath: out.allureHistory, knownIssuesPath: out.knownIssues });
  } catch (error) {
    process.stderr.write(`Allure report generation failed: ${(error as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`merged ${shards.length} shards: ${totalsLine(matrix.totals)}\n${gateProblems(matrix).map((g) => `✗ ${g}\n`).join('')}reports: ${html}, ${out.coverageMd}, ${out.junit}\n`);
  if (!failed) recordCoverage(out.coveragePin, matrix, new Date().toISOString());
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  },
);

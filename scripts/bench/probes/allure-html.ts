/**
 * Probe: the Allure HTML report alone, generated from the allure-results of a
 * finished passing run (BENCH_ALLURE_RESULTS) into BENCH_ALLURE_OUT, in a fresh
 * process. The start of the generator process, with its import of Allure, is timed
 * apart from the generation: during a conformance run the reporter starts it while
 * the tests run, so the end of the run pays only for the generation.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { reportProbe } from '../child';

type AllureHtmlModule = typeof import('../../../src/report/allure-html');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const resultsDir = required('BENCH_ALLURE_RESULTS');
  const out = required('BENCH_ALLURE_OUT');
  const importStarted = performance.now();
  // require, not a static import: static imports are hoisted above any clock.
  const html = require('../../../src/report/allure-html') as AllureHtmlModule;
  await html.preloadAllure();
  const importMs = performance.now() - importStarted;
  const generateStarted = performance.now();
  const index = await html.generateHtmlReport({
    name: 'bench: conformance',
    resultsDir,
    outputDir: join(out, 'allure-report'),
    historyPath: join(out, 'history', 'allure-history.jsonl'),
    knownIssuesPath: join(out, 'history', 'known-issues.json'),
  });
  const generateMs = performance.now() - generateStarted;
  if (!existsSync(index) || statSync(index).size === 0) throw new Error(`no report written at ${index}`);
  reportProbe({ importMs, generateMs, bytes: statSync(index).size });
  // Allure may keep handles open after done(); the figures are taken, and the bench must not wait on them.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

/**
 * Row 5: where the passing run's time goes, each step measured on its own in a
 * fresh process. A conformance run is two Node processes: the wrapper, which runs
 * Playwright's command line itself (the runner), and the worker Playwright starts;
 * each loads Playwright, and Playwright starts a loader thread in each (its
 * TypeScript transform, through module.register on Node 20).
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MeasurementError, ROOT, childEnv, runProbe, timedNode } from './child';
import type { BenchContext } from './context';
import { passingRun } from './runs';
import { Samples, type Stat } from './stats';

/** The plan and recipes caches of src/contract/plan-cache.ts and src/scenarios/recipes-cache.ts; cleared for the cold loads. */
const PLAN_CACHE_DIR = resolve(ROOT, 'node_modules/.cache/contract-suite');
const PLAYWRIGHT_CLI = resolve(ROOT, 'node_modules/@playwright/test/cli.js');
const COMPILE_CACHE = resolve(ROOT, 'scripts/lib/compile-cache.cjs');
/** Playwright started as scripts/conformance.mjs starts it: the code cache here, and in its workers through NODE_OPTIONS. */
const AS_RUN = existsSync(COMPILE_CACHE) ? ['--require', COMPILE_CACHE] : [];
const asRunEnv = (extra: Record<string, string> = {}) => childEnv({ ...(AS_RUN.length ? { NODE_OPTIONS: `--require ${JSON.stringify(COMPILE_CACHE)} --max-semi-space-size=8` } : {}), ...extra });

export interface Breakdown {
  nodeStart: Stat;
  playwrightStart: Stat;
  config: Stat;
  floor: Stat;
  contractCold: Stat;
  contractWarm: Stat;
  setupImport: Stat;
  setupRun: Stat;
  htmlImport: Stat;
  htmlGenerate: Stat;
}

/**
 * A folder with the smallest Playwright suite (one empty test, no reporter output): what
 * Playwright costs before any work of the suite's. Kept for the whole bench, so Playwright's
 * transform cache (keyed by path and content) is warm after the first, untimed run.
 */
function floorSuite(ctx: BenchContext): string {
  const dir = ctx.tempDir('playwright-floor');
  writeFileSync(join(dir, 'playwright.config.js'), `module.exports = { testDir: __dirname, outputDir: ${JSON.stringify(join(dir, 'out'))}, reporter: 'null', workers: 1 };\n`);
  writeFileSync(join(dir, 'empty.spec.js'), `const { test } = require(${JSON.stringify(resolve(ROOT, 'node_modules/@playwright/test'))});\ntest('empty', () => {});\n`);
  return join(dir, 'playwright.config.js');
}

/** Process start-up costs: plain Node, Playwright's command line, the config as Playwright loads it, Playwright's floor. */
async function startups(samples: Samples, floorConfig: string): Promise<void> {
  const env = childEnv();
  samples.add('nodeStart', (await timedNode('node -e 1', ['-e', '1'], env)).ms);
  const cli = (await timedNode('playwright --version', [...AS_RUN, PLAYWRIGHT_CLI, '--version'], env)).ms;
  samples.add('playwrightStart', cli);
  // The config as the run loads it: Playwright's loader (its thread, its transform cache) evaluates it, then
  // loads the spec to list the tests (no global setup, no worker); minus the CLI start measured just before
  // in the same round (paired, so both see the same moment of a shared machine).
  const list = await timedNode('playwright test --list', [...AS_RUN, PLAYWRIGHT_CLI, 'test', '--list', '--config', resolve(ROOT, 'playwright.config.ts')], childEnv({ CONTRACT_SUITE_NO_HTML: '1' }));
  samples.add('config', list.ms - cli);
  samples.add('floor', (await timedNode('playwright test (one empty test)', [...AS_RUN, PLAYWRIGHT_CLI, 'test', '--config', floorConfig], asRunEnv())).ms);
}

/** loadContract cold (plan cache cleared first) then warm (the entry the cold load just wrote). */
async function contractLoads(samples: Samples): Promise<void> {
  const env = childEnv();
  // The plan's entries only: the recipes' (recipes-*.json, src/scenarios/recipes-cache.ts) stay for global setup's figure.
  for (const name of existsSync(PLAN_CACHE_DIR) ? readdirSync(PLAN_CACHE_DIR) : []) if (!name.startsWith('recipes-')) rmSync(join(PLAN_CACHE_DIR, name), { force: true });
  samples.add('contractCold', (await runProbe('contract-load.ts', env)).loadMs!);
  // A warm figure from a load that found no cache entry would be a second cold one.
  if (!readdirSync(PLAN_CACHE_DIR).some((name) => !name.startsWith('recipes-'))) throw new MeasurementError(`the cold contract load wrote no plan cache in ${PLAN_CACHE_DIR}: the warm figure would not be warm`);
  samples.add('contractWarm', (await runProbe('contract-load.ts', env)).loadMs!);
}

async function globalSetup(ctx: BenchContext, samples: Samples): Promise<void> {
  const mock = await ctx.mock();
  const result = await runProbe('global-setup.ts', childEnv({ REPORTS_DIR: ctx.tempDir('global-setup'), TARGET: 'mock', BASE_URL: mock.url }));
  samples.add('setupImport', result.importMs!);
  samples.add('setupRun', result.runMs!);
}

async function allureHtml(ctx: BenchContext, samples: Samples): Promise<void> {
  const results = ctx.passingAllureResults;
  if (!results) throw new MeasurementError('no passing run has produced allure-results to generate the HTML report from');
  // A fresh output (and history) each time: the figure is one generation, not one with a growing history.
  const result = await runProbe('allure-html.ts', childEnv({ BENCH_ALLURE_RESULTS: results, BENCH_ALLURE_OUT: ctx.tempDir('allure-html') }));
  samples.add('htmlImport', result.importMs!);
  samples.add('htmlGenerate', result.generateMs!);
}

export async function measureBreakdown(ctx: BenchContext): Promise<Breakdown> {
  // The HTML probe needs the allure-results of a finished passing run; without the runs group, one
  // passing run is made for that (its time is not reported).
  if (!ctx.passingAllureResults) await passingRun(ctx);
  const floorConfig = floorSuite(ctx);
  // Untimed: fills Playwright's transform cache for the floor suite's two new files.
  await timedNode('playwright test (one empty test)', [...AS_RUN, PLAYWRIGHT_CLI, 'test', '--config', floorConfig], asRunEnv());
  const samples = new Samples();
  for (let i = 1; i <= ctx.runs; i++) {
    await startups(samples, floorConfig);
    await contractLoads(samples);
    await globalSetup(ctx, samples);
    await allureHtml(ctx, samples);
    ctx.progress(`breakdown ${i}/${ctx.runs} done`);
  }
  const names = ['nodeStart', 'playwrightStart', 'config', 'floor', 'contractCold', 'contractWarm', 'setupImport', 'setupRun', 'htmlImport', 'htmlGenerate'] as const;
  return Object.fromEntries(names.map((n) => [n, samples.stat(n)])) as unknown as Breakdown;
}

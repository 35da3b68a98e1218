/**
 * Row 5: where the passing run's time goes, each step measured on its own in a
 * fresh process (a conformance run starts three Node processes: the tsx wrapper,
 * the Playwright CLI and its worker, so process starts count several times).
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { MeasurementError, ROOT, childEnv, runProbe, timedNode } from './child';
import type { BenchContext } from './context';
import { passingRun } from './runs';
import { Samples, type Stat } from './stats';

/** The plan cache of src/contract/plan-cache.ts (CACHE_DIR there); cleared for the cold loads. */
const PLAN_CACHE_DIR = resolve(ROOT, 'node_modules/.cache/contract-suite');
const PLAYWRIGHT_CLI = resolve(ROOT, 'node_modules/@playwright/test/cli.js');

export interface Breakdown {
  nodeStart: Stat;
  tsxStart: Stat;
  playwrightStart: Stat;
  config: Stat;
  contractCold: Stat;
  contractWarm: Stat;
  setupImport: Stat;
  setupRun: Stat;
  htmlImport: Stat;
  htmlGenerate: Stat;
}

/** Process start-up costs: plain Node, Node with the tsx loader, the Playwright CLI. */
async function startups(samples: Samples): Promise<void> {
  const env = childEnv();
  samples.add('nodeStart', (await timedNode('node -e 1', ['-e', '1'], env)).ms);
  const tsx = (await timedNode('node --import tsx -e 1', ['--import', 'tsx', '-e', '1'], env)).ms;
  samples.add('tsxStart', tsx);
  samples.add('playwrightStart', (await timedNode('playwright --version', [PLAYWRIGHT_CLI, '--version'], env)).ms);
  // Config evaluation = requiring playwright.config.ts through tsx, minus the tsx start measured just before
  // in the same round (paired, so both see the same moment of a shared machine).
  const config = await timedNode('require(playwright.config.ts)', ['--import', 'tsx', '-e', "require('./playwright.config.ts')"], env);
  samples.add('config', config.ms - tsx);
}

/** loadContract cold (plan cache cleared first) then warm (the entry the cold load just wrote). */
async function contractLoads(samples: Samples): Promise<void> {
  const env = childEnv();
  rmSync(PLAN_CACHE_DIR, { recursive: true, force: true });
  samples.add('contractCold', (await runProbe('contract-load.ts', env)).loadMs!);
  // A warm figure from a load that found no cache entry would be a second cold one.
  if (!existsSync(PLAN_CACHE_DIR)) throw new MeasurementError(`the cold contract load wrote no plan cache in ${PLAN_CACHE_DIR}: the warm figure would not be warm`);
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
  const samples = new Samples();
  for (let i = 1; i <= ctx.runs; i++) {
    await startups(samples);
    await contractLoads(samples);
    await globalSetup(ctx, samples);
    await allureHtml(ctx, samples);
    ctx.progress(`breakdown ${i}/${ctx.runs} done`);
  }
  const names = ['nodeStart', 'tsxStart', 'playwrightStart', 'config', 'contractCold', 'contractWarm', 'setupImport', 'setupRun', 'htmlImport', 'htmlGenerate'] as const;
  return Object.fromEntries(names.map((n) => [n, samples.stat(n)])) as unknown as Breakdown;
}

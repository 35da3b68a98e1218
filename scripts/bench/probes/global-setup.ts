/**
 * Probe: the suite's global setup alone (settings, contract through the plan
 * cache, recipes, cell plan, preflight of BASE_URL, run plan), in a fresh process.
 * The bench sets REPORTS_DIR, TARGET=mock and BASE_URL of its separately started mock.
 * Module import and the call are timed apart: Playwright pays both, in that order.
 */
import type { FullConfig } from '@playwright/test';
import { removeRunPlan } from '../../../src/scenarios/run-plan';
import { reportProbe } from '../child';

type GlobalSetupModule = typeof import('../../../specs/global-setup');

async function main(): Promise<void> {
  const importStarted = performance.now();
  // require, not a static import: static imports are hoisted above any clock.
  const { default: globalSetup } = require('../../../specs/global-setup') as GlobalSetupModule;
  const importMs = performance.now() - importStarted;
  const runStarted = performance.now();
  // What global setup reads of the config: the projects' trace setting and the reporters (ours, no trace).
  const teardown = await globalSetup({ projects: [{ use: { trace: 'off' } }], reporter: [['./src/report/reporter.ts', undefined]] } as unknown as FullConfig);
  const runMs = performance.now() - runStarted;
  await teardown?.();
  // Global setup leaves its run plan for the workers; nobody reads this one.
  removeRunPlan();
  reportProbe({ importMs, runMs });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

/**
 * The conformance run: one test per target (see specs/conformance.spec.ts).
 * Everything is driven by the environment (README): the embedded mock by
 * default, BASE_URL for another server, TARGETS for several. Kept light: it is
 * evaluated again in every worker.
 */
import { defineConfig } from '@playwright/test';
import { markReportStale } from './src/report/allure-html';
import { reportPaths } from './src/report/paths';
import { ConfigError, readSettings, type Settings } from './src/settings/config';

// Selection applies to documented responses, not to Playwright's one test per target: refuse Playwright's own flags.
/** A mistake in how the run was started: one message naming the fix, not a stack trace through the config loader. */
function stop(message: string): never {
  // An earlier run's report must not pass for this one, which ran nothing.
  if (process.env.CONTRACT_SUITE_NO_HTML !== '1') markReportStale(reportPaths().allureReport, `The run started at ${new Date().toISOString()} ran nothing: ${message}`);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const selectionFlag = process.argv.find((a) => /^(--grep|-g|--grep-invert|--shard)(=|$)/.test(a));
if (selectionFlag && !process.env.CONTRACT_SUITE_WRAPPED) {
  stop(`${selectionFlag} selects Playwright tests (one per target here); to select documented responses run: npm run conformance -- ${selectionFlag} ...`);
}
let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  if (error instanceof ConfigError) stop(error.message);
  throw error;
}
const paths = reportPaths();
// Node reads extra CAs only at start-up: set here, they reach the workers Playwright starts next.
if (settings.caFile) process.env.NODE_EXTRA_CA_CERTS = settings.caFile;

export default defineConfig({
  testDir: './specs',
  outputDir: paths.playwrightOutput,
  globalSetup: './specs/global-setup.ts',
  // A target's cells share its state (regeneration, used codes), so they run in order in one test;
  // several targets run side by side with WORKERS > 1.
  fullyParallel: true,
  workers: settings.workers,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // Each test sets its own timeout from the work it plans (specs/fixtures.ts timeoutFor).
  reporter: [['./src/report/reporter.ts']],
  use: {
    ignoreHTTPSErrors: settings.ignoreHttpsErrors,
    trace: 'off',
  },
});

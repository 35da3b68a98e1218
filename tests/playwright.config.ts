/** The project's own tests: unit tests of loader, checks and engine, mock tests, and suite-level tests. */
import { resolve } from 'node:path';
import { defineConfig } from '@playwright/test';

const reports = resolve(__dirname, '..', process.env.REPORTS_DIR || 'reports');

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: resolve(reports, 'self-test-results'),
  workers: 2,
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  timeout: 60_000,
  reporter: [
    [process.env.CI ? 'dot' : 'list'],
    ['json', { outputFile: resolve(reports, 'self-tests.json') }],
    ['junit', { outputFile: resolve(reports, 'self-tests-junit.xml') }],
  ],
});

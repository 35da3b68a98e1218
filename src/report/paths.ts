/** Where a run writes its outputs; REPORTS_DIR moves them all (nested runs in tests use it). */
import { resolve } from 'node:path';

export function reportPaths(env: Record<string, string | undefined> = process.env, cwd = process.cwd()) {
  const root = resolve(cwd, env.REPORTS_DIR || 'reports');
  return {
    root,
    allureResults: resolve(root, 'allure-results'),
    allureReport: resolve(root, 'allure-report'),
    testResults: resolve(root, 'test-results'),
    junit: resolve(root, 'junit.xml'),
    json: resolve(root, 'results.json'),
    blob: resolve(root, 'blob-report'),
    playwrightHtml: resolve(root, 'playwright-report'),
    coverageJson: resolve(root, 'coverage.json'),
    coverageMd: resolve(root, 'coverage.md'),
  };
}

/** Where a run writes its outputs; REPORTS_DIR moves them all (nested runs in tests use it). */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function reportPaths(env: Record<string, string | undefined> = process.env, cwd = process.cwd()) {
  const root = resolve(cwd, env.REPORTS_DIR || 'reports');
  return {
    root,
    allureResults: resolve(root, 'allure-results'),
    allureReport: resolve(root, 'allure-report'),
    /** Kept between runs (and restored by CI) so Allure shows trends, new and flaky failures. */
    allureHistory: resolve(root, 'history', 'allure-history.jsonl'),
    knownIssues: resolve(root, 'history', 'known-issues.json'),
    junit: resolve(root, 'junit.xml'),
    json: resolve(root, 'results.json'),
    coverageJson: resolve(root, 'coverage.json'),
    coverageMd: resolve(root, 'coverage.md'),
    summary: resolve(root, 'summary.txt'),
    /** A failed generated cell's failure, for npm run replay. */
    failures: resolve(root, 'failures'),
    /** The outcome of every cell in the previous run of each target (PIN_COVERAGE); kept between runs like the history. */
    coveragePin: resolve(root, 'history', 'coverage-pin.json'),
    /** Playwright's own per-test folder: nothing of the suite's goes there; removed after the run. Fixed by the runner, inherited by workers. */
    playwrightOutput: (env.CONTRACT_SUITE_PW_OUTPUT ??= join(tmpdir(), `contract-suite-playwright-${process.pid}`)),
  };
}

/** `findEnsureOtp · coverage` -> `findEnsureOtp-coverage`: a file name that every file system and shell takes. */
export function fileSlug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'cell';
}

/** Where a failed cell's failure file goes: reports/failures/<cell>.json, under the target's name when a run has several. */
export function failureFile(failuresDir: string, target: string, key: string, multiTarget: boolean): string {
  return join(failuresDir, ...(multiTarget ? [fileSlug(target)] : []), `${fileSlug(key)}.json`);
}

/**
 * The conformance run. Everything is driven by the environment (see README):
 * the embedded mock by default, BASE_URL for another server, TARGETS for several.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { parse as parseYaml } from 'yaml';
import { MAX_RETRY_WAIT_MS } from './src/engine/http';
import { reportPaths } from './src/report/paths';
import { readTargetConfig } from './src/target/config';
import { readTargetsFile } from './src/target/targets';

const target = readTargetConfig();
const sharded = process.argv.some((a) => a.startsWith('--shard'));
// Node reads extra CAs only at start-up: set here, they reach the workers Playwright spawns next.
if (target.caFile) process.env.NODE_EXTRA_CA_CERTS = target.caFile;
const paths = reportPaths();
const extraTargets = readTargetsFile(process.env.TARGETS);
const contractBytes = readFileSync(target.contractFile);
const contractInfo = (() => {
  try {
    return (parseYaml(contractBytes.toString('utf8')) as { info?: { title?: string; version?: string } }).info ?? {};
  } catch {
    return {}; // global setup reports the broken contract with its file name
  }
})();

const projects: PlaywrightTestConfig['projects'] = extraTargets.length
  ? extraTargets.map((t) => ({ name: t.name, use: { baseURL: t.baseURL } }))
  : [{ name: target.kind, use: { baseURL: target.baseURL } }];

export default defineConfig({
  testDir: './specs',
  outputDir: paths.testResults,
  globalSetup: './specs/global-setup.ts',
  // One worker per target: a target's scenarios share its state (regeneration, used codes), so they
  // run in order in one worker (fullyParallel: false); WORKERS>1 only spreads several TARGETS.
  // Sharding splits by test only when tests are independent units, so a shard then runs them one at a time.
  fullyParallel: sharded,
  workers: sharded ? 1 : Number(process.env.WORKERS) || 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  // A flow makes up to 4 calls, each up to the request timeout plus the Retry-After waits it may honour.
  timeout: (target.requestTimeoutMs + MAX_RETRY_WAIT_MS) * 4,
  reporter: [
    [process.env.CI ? 'dot' : 'line'],
    ['junit', { outputFile: paths.junit }],
    ['json', { outputFile: paths.json }],
    [
      'allure-playwright',
      {
        resultsDir: paths.allureResults,
        detail: false,
        suiteTitle: false,
        environmentInfo: {
          target: extraTargets.length ? extraTargets.map((t) => `${t.name}=${t.baseURL}`).join(' ') : target.baseURL,
          target_kind: target.kind,
          contract: String(contractInfo.title ?? target.contractFile),
          contract_version: String(contractInfo.version ?? ''),
          contract_sha256: createHash('sha256').update(contractBytes).digest('hex'),
          tags: target.tags.join(',') || '(all)',
          writes_allowed: String(target.allowWrites),
        },
      },
    ],
    ['./src/report/summary-reporter.ts'],
    // Opt-in extras: Playwright's own HTML report, and blob reports for merging shards.
    ...(process.env.PW_HTML_REPORT === '1' ? [['html', { outputFolder: paths.playwrightHtml, open: 'never' }] as const] : []),
    ...(process.env.BLOB_REPORT === '1' ? [['blob', { outputDir: paths.blob }] as const] : []),
  ],
  use: {
    ignoreHTTPSErrors: target.ignoreHttpsErrors,
    trace: 'off',
  },
  projects,
  ...(target.embeddedMock && !extraTargets.length
    ? {
        webServer: {
          command: 'node --import tsx src/mock/cli.ts',
          url: `http://127.0.0.1:${target.mockPort}/_mock/health`,
          env: { MOCK_PORT: String(target.mockPort), MOCK_HOST: '127.0.0.1' },
          reuseExistingServer: false,
          timeout: 20_000,
          stdout: 'ignore',
          stderr: 'pipe',
        },
      }
    : {}),
});

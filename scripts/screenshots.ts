/**
 * `node --import tsx scripts/screenshots.ts`: the screenshots in docs/screenshots/
 * of the Allure report. Runs the suite against the mock with a mutant (so the
 * report has passing and failing entries), serves the single-file report on
 * 127.0.0.1 and drives Debian's Chromium (/usr/bin/chromium) through the UI.
 * Exit code: 0 the three PNGs written, 1 something went wrong (said on stderr).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createMockServer, type MockServer } from '../src/mock';
import { oneFileServer } from './lib/one-file-server';

const root = resolve(__dirname, '..');
const outDir = join(root, 'docs/screenshots');
const CHROMIUM = '/usr/bin/chromium';
const MUTANT = 'regenerate-200-codes-as-numbers';
const PASSING = 'findRecoveryCodes 200';
const FAILING = 'regenerateCodes 200';
const FAILURE_TEXT = '[response_schema_conformance] body.recovery_codes[0]: expected a string, got a number (value masked)';
const RUN_TIMEOUT_MS = 180_000;
const UI_TIMEOUT_MS = 30_000;
// The background-networking flags keep Chromium from dialling out: this machine refuses those connections.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Ends the conformance run's process group (the wrapper and the Playwright runner it starts). */
function endGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Runs the conformance suite (`npm run conformance`) against `baseUrl`; resolves to its exit code and output. */
function runSuite(baseUrl: string, reportsDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    // Asynchronous spawn: the mock answers from this process's event loop, which spawnSync would block.
    // Through npm, so the script follows the project's own entry point (package.json) if it moves.
    // Detached, so a timeout can end npm, the wrapper and the Playwright runner they start (one process group).
    const child = spawn('npm', ['run', '--silent', 'conformance'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TARGET: 'mock', BASE_URL: baseUrl, TARGET_NAME: 'mock', REPORTS_DIR: reportsDir, ENV_FILE: '/dev/null', CI: '1' },
    });
    // Ctrl+C does not reach a detached group: pass it on.
    const onSignal = (): void => {
      endGroup(child.pid);
      process.exit(1);
    };
    process.once('SIGINT', onSignal);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      endGroup(child.pid);
      reject(new Error(`the conformance run took over ${RUN_TIMEOUT_MS / 1000} s; its output:\n${output}`));
    }, RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      resolveRun({ code, output });
    });
  });
}

/** Serves the one HTML file on 127.0.0.1 (from file:// the report only shows a spinner). */
async function serveFile(file: string): Promise<{ server: Server; url: string }> {
  const server = oneFileServer(file);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Loads the report and waits until the tree of results is drawn, not the loading spinner. */
async function openReport(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.getByTestId('tree-leaf').first().waitFor({ state: 'visible' });
  await page.getByTestId('report-title').waitFor({ state: 'visible' });
}

/** The parts of a DOM element this script touches (the project's lib has no DOM types). */
interface ScrollBox {
  scrollTop: number;
}

/** The report's scroll container (below the top bar the page scrolls inside it, not the window). */
function scroller(page: Page): Locator {
  return page.getByTestId('base-layout');
}

/** Scrolls the report to its top, or so that `last`'s bottom sits 8 px above the view's bottom. */
async function scrollReport(page: Page, last: Locator | 'top'): Promise<void> {
  let top = 0;
  if (last !== 'top') {
    const view = await scroller(page).boundingBox();
    const box = await last.boundingBox();
    if (!view || !box) throw new Error('cannot scroll to an element that is not shown');
    top = (await scroller(page).evaluate((el: ScrollBox) => el.scrollTop)) + box.y + box.height + 8 - (view.y + view.height);
  }
  await scroller(page).evaluate((el: ScrollBox, to: number) => {
    el.scrollTop = Math.max(0, to);
  }, top);
  // Let the repaint settle before anything measures or shoots.
  await page.waitForTimeout(300);
}

/** Fails unless every element is wholly inside the visible part of the report: a picture that cuts them off says too little. */
async function assertInView(page: Page, what: Record<string, Locator>): Promise<void> {
  const view = await scroller(page).boundingBox();
  if (!view) throw new Error('the report has no scroll container (data-testid="base-layout")');
  for (const [name, locator] of Object.entries(what)) {
    const box = await locator.boundingBox();
    if (!box || box.y < view.y - 1 || box.y + box.height > view.y + view.height + 1) {
      throw new Error(`${name} is not wholly in the 1400x1000 view (the report's layout changed?)`);
    }
  }
}

/** Opens a result from the tree by its name, as a reader would: section first if it is folded. */
async function openResult(page: Page, section: RegExp, name: string): Promise<void> {
  const leaf = page.getByTestId('tree-leaf-title').getByText(name, { exact: true });
  if (!(await leaf.isVisible())) await page.getByTestId('tree-section-title').filter({ hasText: section }).click();
  await leaf.click();
  await page.getByTestId('test-result-info-title').getByText(name, { exact: true }).waitFor({ state: 'visible' });
  await page.getByTestId('test-result-steps-root').waitFor({ state: 'visible' });
}

/** Folds a result's Parameters, Labels and Description, which would push the steps below the fold. */
async function foldResultSections(page: Page): Promise<void> {
  for (const name of ['Parameters', 'Labels', 'Description']) {
    const button = page.getByRole('button', { name: new RegExp(`^${name}`) });
    if (await button.isVisible()) await button.click();
  }
}

/** Unfolds a step's attachment (its header button) and waits for its text to show. */
async function openAttachment(page: Page, name: string, expected: string): Promise<Locator> {
  const attachment = page.getByTestId('test-result-attachment').filter({ has: page.getByTestId('test-result-attachment-header').getByText(name, { exact: true }) });
  await attachment.getByTestId('test-result-attachment-header').getByRole('button').first().click();
  await attachment.getByText(expected).first().waitFor({ state: 'visible' });
  return attachment;
}

async function shoot(page: Page, name: string): Promise<string> {
  const file = join(outDir, name);
  await page.mouse.move(0, 0); // no hover highlight on the last button clicked
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  return file;
}

async function takeScreenshots(browser: Browser, url: string): Promise<string[]> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  // Only the report itself: anything else would be refused by the closed network and stall "networkidle".
  await context.route('**/*', (route) => (route.request().url().startsWith(url) ? route.continue() : route.abort()));
  const page = await context.newPage();
  const files: string[] = [];

  // Overview: the report opens with the failed operation unfolded, and the flows that stopped on its defect
  // (skipped, naming it). Folding the metadata and the operation (its bar still shows 1 failed) lets title,
  // totals and whole tree fit in 1000 px.
  await openReport(page, url);
  await page.getByRole('button', { name: /^Metadata/ }).click();
  await page.getByTestId('metadata-list').waitFor({ state: 'hidden' });
  await page.getByTestId('tree-section-title').filter({ hasText: /^\d+ regenerateCodes/ }).click();
  await page.getByTestId('tree-leaf-title').getByText(FAILING, { exact: true }).waitFor({ state: 'hidden' });
  // Allure unfolds only sections with failures: unfold the flows, which say why they stopped.
  const stopped = page.getByTestId('tree-leaf-status-skipped').first();
  if (!(await stopped.isVisible())) await page.getByTestId('tree-section-title').filter({ hasText: /flows/ }).click();
  await stopped.waitFor({ state: 'visible' });
  await scrollReport(page, 'top');
  await assertInView(page, {
    'the report title': page.getByTestId('report-title'),
    'the totals': page.getByTestId('metadata-item-total'),
    'the last tree row': page.getByTestId('tree-leaf').last(),
  });
  files.push(await shoot(page, 'overview.png'));

  // A passing entry: its recipe step (unfolded by default) with the check sub-steps and the attachments.
  await openResult(page, /^\d+ findRecoveryCodes/, PASSING);
  await page.getByTestId('test-result-status-passed').waitFor({ state: 'visible' });
  await foldResultSections(page);
  const check = page.getByTestId('test-result-step-title').getByText(/^✓ status_code_conformance: /);
  if (!(await check.isVisible())) await page.getByTestId('test-result-step-arrow-button').first().click(); // the report unfolds it today
  await check.waitFor({ state: 'visible' });
  const curl = await openAttachment(page, 'reproduce with curl', 'curl ');
  await scrollReport(page, 'top');
  await assertInView(page, {
    'the title': page.getByTestId('test-result-info-title'),
    'the first check': page.getByTestId('test-result-step-title').getByText(/^✓ transport_error: /),
    'the curl attachment': curl,
  });
  files.push(await shoot(page, 'passing-test.png'));

  // The failing entry: the error message, the failed check, and the reproduction in the error's trace.
  // Back to the tree (the home button in the breadcrumbs has no name or test id; the route is the URL hash).
  await page.goBack();
  await page.getByTestId('tree-leaf').first().waitFor({ state: 'visible' });
  await openResult(page, /^\d+ regenerateCodes/, FAILING);
  await page.getByTestId('test-result-status-failed').waitFor({ state: 'visible' });
  await page.getByTestId('test-result-error-message').getByText(FAILURE_TEXT, { exact: false }).waitFor({ state: 'visible' });
  await foldResultSections(page);
  await page.getByTestId('test-result-error-trace').getByText('curl ', { exact: false }).waitFor({ state: 'visible' });
  // Down to the error's trace (the curl reproduction): the error message, the failed check and the trace
  // fit in 1000 px; the title (the breadcrumbs still name the entry) or an unfolded attachment would not.
  const trace = page.getByTestId('test-result-error-trace');
  await scrollReport(page, page.getByTestId('test-result-error').filter({ has: trace }));
  await assertInView(page, {
    'the error message': page.getByTestId('test-result-error-message'),
    'the failed check': page.getByTestId('test-result-step-title').getByText(/^✗ \[response_schema_conformance\]/),
    'the error trace': trace,
  });
  files.push(await shoot(page, 'failing-test.png'));

  await context.close();
  return files;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  const started = Date.now();
  const reportsDir = mkdtempSync(join(tmpdir(), 'screenshots-'));
  let mock: MockServer | null = null;
  let server: Server | null = null;
  let browser: Browser | null = null;
  try {
    mock = createMockServer({ mutant: MUTANT });
    const baseUrl = await mock.listen(0);
    const run = await runSuite(baseUrl, reportsDir);
    // The mutant must fail the run (exit code 1); anything else means the report lacks the failing entry.
    if (run.code !== 1) throw new Error(`the conformance run against the mutant ${MUTANT} exited with ${run.code}, expected 1; its output:\n${run.output}`);
    await mock.close();
    mock = null;
    const report = join(reportsDir, 'allure-report/index.html');
    if (!existsSync(report)) throw new Error(`the conformance run wrote no ${report}; its output:\n${run.output}`);

    const served = await serveFile(report);
    server = served.server;
    mkdirSync(outDir, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const files = await takeScreenshots(browser, served.url);
    for (const file of files) process.stdout.write(`${relative(process.cwd(), file)} (${Math.round(statSync(file).size / 1024)} KiB)\n`);
    process.stdout.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await browser?.close();
    server?.close();
    await mock?.close();
    rmSync(reportsDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    // Playwright's messages already say which locator timed out and what it saw; the stack adds nothing.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`screenshots: ${message.replace(/\x1b\[[0-9;]*m/g, '')}\n`); // no terminal colours in logs
    process.exit(1);
  },
);

// @ts-check
/**
 * The Allure 3 HTML report generator, in a Node process of its own that
 * src/report/allure-html.ts starts as the tests start. Allure's modules (about
 * 60 MiB, a third of a second to import) then stay out of Playwright's runner,
 * and Node imports them directly rather than through the loader hooks Playwright
 * registers there. Plain JavaScript (type-checked): Node starts it without a transform.
 *
 * Over IPC: `{ ready: true }` once Allure is imported; then, for the one
 * HtmlReportOptions it receives, `{ index }` or `{ error }`, and it exits. It
 * exits too when its parent goes away, and leaves Ctrl-C to its parent (the
 * runner still writes the report of an interrupted run).
 */
'use strict';
const { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

/** @typedef {typeof import('@allurereport/core', { with: { 'resolution-mode': 'import' } })} Core */
/** @typedef {import('./allure-html').HtmlReportOptions} HtmlReportOptions */

/** Categories key off the `violation` label each failed result carries (kinds of Failure, and coverage under STRICT_COVERAGE). */
const CATEGORIES = {
  rules: [
    { name: 'Contract violations', matchers: { labels: { violation: 'contract' } } },
    { name: 'Behaviour violations', matchers: { labels: { violation: 'behaviour' } } },
    { name: 'Transport errors', matchers: { labels: { violation: 'transport' } } },
    { name: 'Coverage gaps (STRICT_COVERAGE)', matchers: { labels: { violation: 'coverage' } } },
  ],
};

/** Runs kept in the history: enough for trends and flakiness, bounded in size. */
const HISTORY_RUNS = 20;

/**
 * Appends one history entry, keeping the last HISTORY_RUNS (JSON lines, the format Allure reads).
 * @param {string} file
 * @param {unknown} entry
 */
function appendHistory(file, entry) {
  mkdirSync(dirname(file), { recursive: true });
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()) : [];
  writeFileSync(file, [...lines.slice(-(HISTORY_RUNS - 1)), JSON.stringify(entry)].join('\n') + '\n');
}

// Allure 3's awesome template always embeds Google Analytics (analyticsEnable is hard-coded true);
// a conformance report about credentials must not call a third party when someone opens it.
const ANALYTICS = /<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>[\s\S]*?gtag\('config'[\s\S]*?<\/script>/g;

/** @param {string} html */
function withoutAnalytics(html) {
  let removed = 0;
  const cleaned = html.replace(ANALYTICS, () => {
    removed++;
    return '';
  });
  return { html: cleaned, removed };
}

/**
 * Removes the analytics tags from a written page; returns how many there were.
 * @param {string} file
 */
function stripAnalytics(file) {
  if (!existsSync(file)) return 0;
  const { html, removed } = withoutAnalytics(readFileSync(file, 'utf8'));
  if (removed) writeFileSync(file, html);
  return removed;
}

/** What resolveConfig imports for the configuration below: the awesome report, and the agent plugin Allure 3 adds to every configuration. */
const PLUGINS = ['@allurereport/plugin-awesome', '@allurereport/plugin-agent'];

/** @type {Promise<Core> | null} */
let loading = null;

/** Imports Allure's modules once. @returns {Promise<Core>} */
function loadAllure() {
  loading ??= (async () => {
    const core = await import('@allurereport/core');
    // resolveConfig imports each plugin by its path from core's own location: the same URLs imported
    // now are in the module cache when it runs (a plugin missing here is left to it, and to its error).
    const fromCore = createRequire(require.resolve('@allurereport/core'));
    /** @param {string} name @returns {Promise<unknown>} */
    const preload = async (name) => import(pathToFileURL(fromCore.resolve(name)).href);
    await Promise.all(PLUGINS.map((name) => preload(name).catch(() => undefined)));
    return core;
  })();
  return loading;
}

/**
 * Generates the single-file report; returns the path of its index.html.
 * @param {HtmlReportOptions} options
 * @returns {Promise<string>}
 */
async function generate(options) {
  const { AllureReport, AllureLocalHistory, resolveConfig } = await loadAllure();
  // Allure 3.14's own append never settles on Node 20: FileHandle.close() waits for the write stream it
  // opened with autoClose: false. The file is small; it is appended plainly instead.
  AllureLocalHistory.prototype.appendHistory = async (/** @type {unknown} */ entry) => appendHistory(options.historyPath, entry);
  const config = await resolveConfig({
    name: options.name,
    output: options.outputDir,
    historyPath: options.historyPath,
    historyLimit: HISTORY_RUNS,
    knownIssuesPath: options.knownIssuesPath,
    categories: CATEGORIES,
    plugins: {
      awesome: {
        options: {
          reportName: options.name,
          // One self-contained index.html: opens from disk, no server needed.
          singleFile: true,
          groupBy: ['parentSuite', 'suite'],
        },
      },
    },
  });
  // The page is cleaned as Allure writes it, rather than read back (4 MB) and written again.
  const files = config.reportFiles;
  let cleaned = false;
  config.reportFiles = {
    addFile: async (path, data) => {
      if (basename(path) !== 'index.html') return files.addFile(path, data);
      cleaned = true;
      return files.addFile(path, Buffer.from(withoutAnalytics(data.toString('utf8')).html, 'utf8'));
    },
  };
  rmSync(options.outputDir, { recursive: true, force: true });
  const report = new AllureReport(config);
  await report.start();
  await report.readDirectory(options.resultsDir);
  await report.done();
  const index = join(options.outputDir, 'index.html');
  // A page Allure wrote some other way is cleaned on disk.
  if (!cleaned) stripAnalytics(index);
  return index;
}

module.exports = { HISTORY_RUNS, stripAnalytics };

if (require.main === module && process.send) {
  /** @param {object} message */
  const reply = (message) => new Promise((done) => (process.send ? process.send(message, undefined, {}, () => done(undefined)) : done(undefined)));
  process.on('disconnect', () => process.exit(0));
  process.on('SIGINT', () => undefined);
  loadAllure().then(
    () => reply({ ready: true }),
    () => reply({ ready: true }), // the import error is reported to the generation that needs it
  );
  process.once('message', (/** @type {HtmlReportOptions} */ options) => {
    generate(options)
      .then(
        (index) => reply({ index }),
        (/** @type {unknown} */ error) => reply({ error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => process.exit(0));
  });
}

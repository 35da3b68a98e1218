/**
 * The Allure 3 HTML report, generated in the runner process at the end of the
 * run. Its modules, the report plugins included, are imported while the tests
 * run (the runner is idle then), so the end of a run pays only for the generation itself.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface HtmlReportOptions {
  name: string;
  resultsDir: string;
  outputDir: string;
  /** Allure history (JSON lines), kept between runs for trends, new and flaky failures. */
  historyPath: string;
  /** Failures accepted as known (`npx allure known-issue`), shown apart from new ones. */
  knownIssuesPath: string;
}

type Core = typeof import('@allurereport/core', { with: { 'resolution-mode': 'import' } });

let loading: Promise<Core> | null = null;

/** What resolveConfig imports for the configuration below: the awesome report, and the agent plugin Allure 3 adds to every configuration. */
const PLUGINS = ['@allurereport/plugin-awesome', '@allurereport/plugin-agent'];

/** Starts importing Allure's modules; the promise is awaited at the end of the run. */
export function preloadAllure(): Promise<Core> {
  loading ??= (async () => {
    const core = await import('@allurereport/core');
    // resolveConfig imports each plugin by its path from core's own location: the same URLs imported
    // now are in the module cache when it runs (a plugin missing here is left to it, and to its error).
    const fromCore = createRequire(require.resolve('@allurereport/core'));
    const preload = async (name: string): Promise<unknown> => import(pathToFileURL(fromCore.resolve(name)).href);
    await Promise.all(PLUGINS.map((name) => preload(name).catch(() => undefined)));
    return core;
  })();
  return loading;
}

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
export const HISTORY_RUNS = 20;

/** Appends one history entry, keeping the last HISTORY_RUNS (JSON lines, the format Allure reads). */
function appendHistory(file: string, entry: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()) : [];
  writeFileSync(file, [...lines.slice(-(HISTORY_RUNS - 1)), JSON.stringify(entry)].join('\n') + '\n');
}

export async function generateHtmlReport(options: HtmlReportOptions): Promise<string> {
  const { AllureReport, AllureLocalHistory, resolveConfig } = await preloadAllure();
  // Allure 3.14's own append never settles on Node 20: FileHandle.close() waits for the write stream it
  // opened with autoClose: false. The file is small; it is appended plainly instead.
  AllureLocalHistory.prototype.appendHistory = async (entry) => appendHistory(options.historyPath, entry);
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

// Allure 3's awesome template always embeds Google Analytics (analyticsEnable is hard-coded true);
// a conformance report about credentials must not call a third party when someone opens it.
const ANALYTICS = /<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>[\s\S]*?gtag\('config'[\s\S]*?<\/script>/g;

function withoutAnalytics(html: string): { html: string; removed: number } {
  let removed = 0;
  const cleaned = html.replace(ANALYTICS, () => {
    removed++;
    return '';
  });
  return { html: cleaned, removed };
}

export function stripAnalytics(file: string): number {
  if (!existsSync(file)) return 0;
  const { html, removed } = withoutAnalytics(readFileSync(file, 'utf8'));
  if (removed) writeFileSync(file, html);
  return removed;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * Replaces the previous report as a run starts: whoever opens it while the run
 * is going, or after a run that ended before its tests, reads that, not an old verdict.
 */
export function markReportStale(outputDir: string, message: string): void {
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(
    join(outputDir, 'index.html'),
    `<!doctype html><meta charset="utf-8"><title>No report</title><body style="font-family:sans-serif;max-width:50em;margin:3em auto"><h1>No report for this run</h1><p>${escapeHtml(message)}</p></body>`,
  );
}

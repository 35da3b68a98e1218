/**
 * The Allure 3 HTML report, generated at the end of the run by a Node process of
 * its own (src/report/allure-html-process.js), started as the tests start: it
 * imports Allure while the tests run, so the end of a run pays only for the
 * generation itself, and Allure's modules never weigh on Playwright's runner.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HISTORY_RUNS, stripAnalytics } from './allure-html-process';

export { HISTORY_RUNS, stripAnalytics };

export interface HtmlReportOptions {
  name: string;
  resultsDir: string;
  outputDir: string;
  /** Allure history (JSON lines), kept between runs for trends, new and flaky failures. */
  historyPath: string;
  /** Failures accepted as known (`npx allure known-issue`), shown apart from new ones. */
  knownIssuesPath: string;
}

type Answer = { ready: true } | { index: string } | { error: string };

/** One generator process: it imports Allure, then generates one report and exits. */
class Generator {
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private readonly answer: Promise<{ index: string } | { error: string }>;
  private asked = false;

  constructor() {
    // execArgv: [] — plain Node, whatever loader (tsx) the parent runs with.
    this.child = fork(require.resolve('./allure-html-process.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    // Once Allure is imported it keeps nothing alive (until asked for a report): the runner exits as it would
    // without it, and the process follows on disconnect. Until then, whoever awaits `ready` is kept waiting.
    this.child.unref();
    let ready: () => void = () => undefined;
    this.ready = new Promise((done) => (ready = done));
    void this.ready.then(() => {
      if (!this.asked) this.child.channel?.unref();
    });
    let settle: (a: { index: string } | { error: string }) => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    this.answer = new Promise((done, reject) => {
      settle = done;
      fail = reject;
    });
    this.answer.catch(() => undefined); // a generator never asked for a report may end unanswered
    this.child.on('message', (m: Answer) => ('ready' in m ? ready() : settle(m)));
    const ended = (why: string) => {
      ready();
      fail(new Error(`the report generator (${process.execPath} src/report/allure-html-process.js) ${why}`));
    };
    // Whenever the runner exits, the generator goes too, even one stuck in a loop (where its own disconnect handler never runs).
    const stop = () => this.child.kill();
    process.once('exit', stop);
    this.child.once('exit', () => process.off('exit', stop));
    this.child.once('exit', (code, signal) => ended(`ended (${signal ?? `exit code ${code}`}) before answering`));
    this.child.once('error', (e) => ended(`failed: ${e.message}`));
  }

  get alive(): boolean {
    return this.child.connected;
  }

  async generate(options: HtmlReportOptions): Promise<string> {
    // Waiting for the answer must keep the runner alive.
    this.asked = true;
    this.child.channel?.ref();
    this.child.send(options);
    const answer = await this.answer;
    if ('error' in answer) throw new Error(answer.error);
    return answer.index;
  }
}

let started: Generator | null = null;

/** Starts the generator process (which imports Allure's modules); resolves once they are imported. */
export function preloadAllure(): Promise<void> {
  started ??= new Generator();
  return started.ready;
}

/** Generates the single-file report; returns the path of its index.html. */
export async function generateHtmlReport(options: HtmlReportOptions): Promise<string> {
  const generator = started?.alive ? started : new Generator();
  started = null; // each process serves one report
  return generator.generate(options);
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

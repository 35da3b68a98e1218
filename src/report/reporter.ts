/**
 * The suite's Playwright reporter: prints a line per cell as its step ends,
 * then writes every output from the same verdicts (coverage matrix, JUnit,
 * results.json, the Allure HTML) and the one-screen summary. Playwright runs
 * one test per target; a cell is a step of it, its verdict a step annotation.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult, TestStep } from '@playwright/test/reporter';
import type { Cell } from '../scenarios/plan';
import { readRunPlan, removeRunPlan, type RunPlan } from '../scenarios/run-plan';
import { AllureCellWriter } from './allure-writer';
import { generateHtmlReport, preloadAllure } from './allure-html';
import { progressLine, summaryText } from './console';
import { buildMatrix, failing, gateProblems, NOT_JUDGED, renderMarkdown, type CoverageMatrix } from './coverage';
import { applyGate, recordCoverage } from './pin';
import { failureContext, failureLines } from './wording';
import { renderJunit } from './junit';
import { failureFile, reportPaths } from './paths';
import { VERDICT_ANNOTATION, type CellVerdict, type FailureRecord } from './verdict';

/** Set by the wrapper for `--no-report` (e.g. shards, whose results are merged later). */
export const NO_HTML_ENV = 'CONTRACT_SUITE_NO_HTML';
export const TARGET_ANNOTATION = 'contract-suite-target';

export default class ConformanceReporter implements Reporter {
  private run: RunPlan | null = null;
  private readonly verdicts: CellVerdict[] = [];
  private readonly stopped = new Map<string, string>();
  private readonly paths = reportPaths();
  private readonly html = process.env[NO_HTML_ENV] !== '1';

  printsToStdio(): boolean {
    return true;
  }

  onBegin(_config: FullConfig, _suite: Suite): void {
    this.run = readRunPlan();
    if (this.run && this.html) void preloadAllure().catch(() => undefined);
    if (this.run) process.stdout.write(`${this.run.banner.join('\n')}\n`);
  }

  /** Errors outside tests (global setup: settings, contract, recipes, preflight): their message is the whole story. */
  onError(error: TestError): void {
    // Playwright prefixes the class name (`ConfigError: ...`); the message names the problem already.
    process.stderr.write(`${(error.message ?? error.value ?? 'unknown error').replace(/^\w*Error: /, '')}\n`);
  }

  onStepEnd(_test: TestCase, _result: TestResult, step: TestStep): void {
    const note = step.annotations.find((a) => a.type === VERDICT_ANNOTATION)?.description;
    if (!note || !this.run) return;
    const verdict = JSON.parse(note) as CellVerdict;
    this.verdicts.push(verdict);
    process.stdout.write(`${progressLine(verdict, this.run.targets.length > 1)}\n`);
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const target = test.annotations.find((a) => a.type === TARGET_ANNOTATION)?.description;
    // A target's test that ended before all its cells (timeout, crash): say so for each cell left.
    if (target && result.status !== 'passed' && result.status !== 'failed') this.stopped.set(target, `${result.status}: ${(result.error?.message ?? '').split('\n')[0]}`);
    else if (target && result.errors.length && !this.verdicts.some((v) => v.target === target)) this.stopped.set(target, (result.errors[0]?.message ?? result.status).split('\n')[0]!);
  }

  /** Selected cells no verdict arrived for: failed, with what stopped their target when known. */
  private unjudged(run: RunPlan, ended: FullResult['status']): Array<{ cell: Cell; verdict: CellVerdict }> {
    const why = ended === 'timedout' ? 'not judged: the run reached its --global-timeout before this cell' : ended === 'interrupted' ? 'not judged: the run was interrupted before this cell' : NOT_JUDGED;
    const seen = new Set(this.verdicts.map((v) => `${v.target}\u0000${v.key}`));
    return run.targets.flatMap((t) =>
      run.cells
        .filter((c) => !c.filteredBy && !seen.has(`${t.name}\u0000${c.key}`))
        .map((cell) => {
          const stopped = this.stopped.get(t.name);
          const reason = stopped ? `not judged: the run of ${t.name} stopped (${stopped})` : why;
          return { cell, verdict: { target: t.name, key: cell.key, kind: cell.kind, title: cell.title, outcome: 'failed' as const, reason, failures: [], exchanges: [], durationMs: 0 } };
        }),
    );
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    const run = this.run;
    // Global setup failed: its error is the message; the placeholder report it wrote says so too.
    if (!run) return undefined;
    const unjudged = this.unjudged(run, result.status);
    const verdicts = [...this.verdicts, ...unjudged.map((u) => u.verdict)];
    const diagnoses = [...run.diagnoses, ...allNotFound(verdicts)];
    const multiTarget = run.targets.length > 1;
    const replayFile = (target: string, key: string) => relative(process.cwd(), failureFile(this.paths.failures, target, key, multiTarget));
    const matrix = buildMatrix(run, verdicts, diagnoses, replayFile);
    this.pin(run, matrix);
    for (const c of matrix.cells) {
      if (c.outcome === 'failed' && c.failures.length === 0 && c.reason) c.failures.push([`${c.title}: ${c.reason}`]);
    }
    mkdirSync(this.paths.root, { recursive: true });
    const markdown = renderMarkdown(matrix);
    writeFileSync(this.paths.coverageJson, `${JSON.stringify(matrix, null, 2)}\n`);
    writeFileSync(this.paths.coverageMd, markdown);
    writeFileSync(this.paths.junit, renderJunit(matrix, new Map(verdicts.map((v) => [`${v.target}\u0000${v.key}`, v.durationMs]))));
    const failed = failing(matrix).length > 0 || gateProblems(matrix).length > 0;
    writeFileSync(this.paths.json, `${JSON.stringify({ schemaVersion: 2, status: failed ? 'failed' : 'passed', totals: matrix.totals, verdicts }, null, 2)}\n`);
    writeFailureFiles(run, verdicts, (target, key) => failureFile(this.paths.failures, target, key, multiTarget));
    let html: string | null = null;
    if (this.html) {
      const writer = new AllureCellWriter({ operations: run.contract.operations.length, resultsDir: this.paths.allureResults, contractTitle: run.contract.title, multiTarget: run.targets.length > 1, strictCoverage: run.strictCoverage });
      writer.attachGlobal('coverage matrix', 'text/markdown', markdown, 'md');
      // The report lists every selected cell: those the workers never wrote appear failed, saying why.
      for (const { cell, verdict } of unjudged) writer.write(cell, verdict, [], Date.now());
      try {
        html = await generateHtmlReport({ name: `${run.contract.title} ${run.contract.version}: conformance`, resultsDir: this.paths.allureResults, outputDir: this.paths.allureReport, historyPath: this.paths.allureHistory, knownIssuesPath: this.paths.knownIssues });
      } catch (error) {
        process.stderr.write(`The Allure HTML report could not be generated: ${(error as Error).message}\n`);
      }
    }
    const summary = summaryText(matrix, this.paths, html);
    writeFileSync(this.paths.summary, `${summary}\n`);
    process.stdout.write(`${summary}\n`);
    if (this.html && !html && result.status === 'passed') return { status: 'failed' };
    if (!failed && result.status === 'passed') recordCoverage(this.paths.coveragePin, matrix, run.startedAt);
    return failed && result.status === 'passed' ? { status: 'failed' } : undefined;
  }

  /** PIN_COVERAGE and MIN_PASSED: a gate whose coverage drops fails, naming what it lost. */
  private pin(run: RunPlan, matrix: CoverageMatrix): void {
    applyGate(this.paths.coveragePin, matrix, run.pin);
  }

  async onExit(): Promise<void> {
    removeRunPlan();
    rmSync(this.paths.playwrightOutput, { recursive: true, force: true });
  }
}

/** reports/failures/<cell>.json for every failed generated cell: what `npm run replay -- <file>` sends again. */
function writeFailureFiles(run: RunPlan, verdicts: CellVerdict[], fileOf: (target: string, key: string) => string): void {
  for (const v of verdicts) {
    const replayable = v.failures.filter((f) => f.replay);
    if (v.outcome !== 'failed' || replayable.length === 0) continue;
    const target = run.targets.find((t) => t.name === v.target);
    const file = fileOf(v.target, v.key);
    mkdirSync(dirname(file), { recursive: true });
    const record: FailureRecord = {
      version: 1,
      cell: v.key,
      target: { name: v.target, baseURL: target?.baseURL ?? '', ...(run.mock ? { mock: run.mock } : {}) },
      contract: { file: run.contract.file, sha256: run.contract.sha256 },
      recipes: run.recipes.files,
      allowWrites: run.allowWrites,
      failures: replayable.map((f) => ({
        check: f.check,
        lines: [failureContext(v.title, f, v.kind), ...failureLines(f)],
        curl: v.exchanges.findLast((e) => e.failure?.step === f.step)?.curl ?? '',
        replay: f.replay!,
      })),
    };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  }
}

/** Every response of a run that got any was 404: the requests probably miss the API. */
function allNotFound(verdicts: CellVerdict[]): string[] {
  const statuses = verdicts.flatMap((v) => v.exchanges.map((e) => e.status));
  return statuses.length >= 3 && statuses.every((s) => s === 404) ? [`every one of the ${statuses.length} responses was 404: check that BASE_URL is the API root the contract's paths are relative to`] : [];
}

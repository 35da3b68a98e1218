/**
 * One Allure result per cell (documented response or flow) of a target, written
 * with allure-js-commons' reporter SDK (the library allure-playwright is built
 * on): a Playwright test here covers a whole target, and the report needs one
 * entry per documented response.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileSystemWriter, ReporterRuntime } from 'allure-js-commons/sdk/reporter';
import { Status, type Globals, type Label, type Parameter, type StatusDetails, type TestResult, type TestResultContainer } from 'allure-js-commons';
import type { Cell } from '../scenarios/plan';
import type { CellVerdict, ExchangeDetail } from './verdict';
import { failsRun } from './coverage';
import { CHECK_HELD, failureContext, failureLines, generatedSummary, OUTCOME_WORDS, SINGLE_INPUT_LABEL } from './wording';


export interface AllureContext {
  resultsDir: string;
  /** How many operations the contract has (to pad positions); only the writer of cells needs it. */
  operations?: number;
  contractTitle: string;
  /** Several targets: the target becomes the top level of the tree. */
  multiTarget: boolean;
  strictCoverage: boolean;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * The SDK's FileSystemWriter writes every file to a temporary one, fsyncs it and renames it, for readers
 * watching the folder while tests run; this folder is read once the tests are over, in the same run, so
 * the run's many files (results, attachments, globals) go straight to their name, with the same bytes.
 */
class ResultsWriter extends FileSystemWriter {
  private made = false;

  constructor(private readonly dir: string) {
    super({ resultsDir: dir });
  }

  private put(name: string, data: string | Buffer): void {
    if (!this.made) mkdirSync(this.dir, { recursive: true });
    this.made = true;
    writeFileSync(join(this.dir, name), data);
  }

  override writeAttachment(name: string, content: Buffer): void {
    this.put(name, content);
  }

  override writeResult(result: TestResult): void {
    this.put(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  override writeGroup(result: TestResultContainer): void {
    this.put(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  override writeGlobals(name: string, info: Globals): void {
    this.put(name, JSON.stringify(info));
  }
}

function status(verdict: CellVerdict, strict: boolean): Status {
  if (verdict.outcome === 'passed') return Status.PASSED;
  if (failsRun(verdict, strict)) return Status.FAILED;
  return Status.SKIPPED;
}

function details(verdict: CellVerdict): StatusDetails {
  if (verdict.outcome === 'failed' && verdict.failures.length) {
    const message = verdict.failures.flatMap((f) => [failureContext(verdict.title, f, verdict.kind), ...failureLines(f)]).join('\n');
    const curl = verdict.exchanges.filter((e) => e.failure).map((e) => `reproduce${e.label === SINGLE_INPUT_LABEL ? '' : ` (${e.label})`}:\n${e.curl}`).join('\n\n');
    return { message, trace: curl };
  }
  const message = verdict.reason ? `${OUTCOME_WORDS[verdict.outcome]}: ${verdict.reason}` : verdict.provokedBy ? `provoked by: ${verdict.provokedBy}` : verdict.generated ? generatedSummary(verdict.generated) : '';
  return message ? { message } : {};
}

const PHASE_WORDS = {
  coverage: 'the coverage phase: requests derived from the contract alone, one input varied at a time (boundaries, wrong types, formats, patterns, long and non-ASCII text, required inputs left out, undocumented methods)',
  fuzz: 'the fuzz phase: requests generated with fast-check from the seed, valid and invalid, a failing one shrunk to a small one',
} as const;

export class AllureCellWriter {
  private readonly runtime: ReporterRuntime;

  constructor(private readonly ctx: AllureContext) {
    this.runtime = new ReporterRuntime({ writer: new ResultsWriter(ctx.resultsDir) });
  }

  write(cell: Cell, verdict: CellVerdict, exchanges: ExchangeDetail[], start: number): void {
    const { runtime, ctx } = this;
    const group = cell.kind === 'flow' ? 'Stateful flows' : cell.group;
    // Allure orders a level by name: the position prefix keeps operations in contract order.
    const position = (n: number) => String(n).padStart(String(ctx.operations ?? n).length, '0');
    const suite = cell.kind === 'flow' ? 'flows' : `${position(cell.position)} ${cell.operationId} · ${cell.method} ${cell.path}`;
    const labels: Label[] = [
      { name: 'parentSuite', value: ctx.multiTarget ? verdict.target : group },
      // A flow is its own only entry: a level named after it would repeat it.
      ...(cell.kind !== 'flow' || ctx.multiTarget ? [{ name: 'suite', value: ctx.multiTarget ? `${group} › ${suite}` : suite }] : []),
      { name: 'outcome', value: OUTCOME_WORDS[verdict.outcome] },
      ...cell.tags.map((t) => ({ name: 'tag', value: t })),
      ...[...new Set(verdict.failures.map((f) => f.kind))].map((kind) => ({ name: 'violation', value: kind })),
      ...[...new Set(verdict.failures.map((f) => f.check))].map((check) => ({ name: 'check', value: check })),
      ...(verdict.outcome !== 'failed' && failsRun(verdict, ctx.strictCoverage) ? [{ name: 'violation', value: 'coverage' }] : []),
    ];
    const parameters: Parameter[] = [
      { name: 'target', value: verdict.target },
      ...(cell.kind !== 'flow' ? [{ name: 'operation', value: `${cell.method} ${cell.path}` }] : [{ name: 'operations', value: cell.operations.join(', ') }]),
      ...(verdict.generated ? [{ name: 'seed', value: String(verdict.generated.seed) }] : []),
      ...(verdict.provokedBy ? [{ name: 'provoked by', value: verdict.provokedBy, excluded: true }] : []),
    ];
    const description = [
      cell.kind === 'response'
        ? `**${cell.method} ${cell.path}** (${cell.operationId}), documented response **${cell.status}**: ${cell.description || '(no description)'}`
        : cell.kind === 'generated'
          ? `**${cell.method} ${cell.path}** (${cell.operationId}), ${PHASE_WORDS[cell.phase]}. Every request is a step; the failing ones carry the request and response.${verdict.generated ? `\n\n${generatedSummary(verdict.generated)} (FUZZ_SEED=${verdict.generated.seed} sends the same requests again).` : ''}`
          : `**Flow ${cell.flow.id}**: ${cell.flow.summary}`,
      verdict.summary ? `\nScenario: ${verdict.summary}.` : '',
      verdict.origin ? `\nRecipe: ${verdict.origin}.` : '',
      ...(verdict.notes ?? []).map((n) => `\n${n}.`),
    ].join('\n');
    const uuid = runtime.startTest({
      name: cell.title,
      fullName: `${verdict.target}: ${cell.key}`,
      testCaseId: md5(`${ctx.contractTitle}\u0000${cell.key}`),
      // History follows the target's name and the cell, not the (possibly ephemeral) URL.
      historyId: md5(`${ctx.contractTitle}\u0000${verdict.target}\u0000${cell.key}`),
      labels,
      parameters,
      description,
      start,
    });
    let at = start;
    for (const ex of exchanges) {
      if (ex.waited) {
        const wait = runtime.startStep(uuid, undefined, { name: ex.waited.why, start: at, status: Status.PASSED });
        if (wait) runtime.stopStep(wait, { stop: at + ex.waited.ms });
        at += ex.waited.ms;
      }
      const stepStatus = ex.failure ? Status.FAILED : Status.PASSED;
      const request = `${ex.method} ${ex.url} → ${ex.status ?? 'no response'}`;
      const step = runtime.startStep(uuid, undefined, { name: ex.label === SINGLE_INPUT_LABEL ? request : `${ex.label}: ${request}`, start: at, status: stepStatus });
      for (const check of ex.checks) {
        const broken = ex.failure && (ex.failure.check === check.check || ex.failure.also?.some((a) => a.check === check.check));
        const text = broken ? failureLines(ex.failure!.check === check.check ? ex.failure! : ex.failure!.also!.find((a) => a.check === check.check)!)[0]! : `✓ ${check.check}: ${CHECK_HELD[check.check] ?? 'held'}`;
        const sub = runtime.startStep(uuid, step, { name: broken ? `✗ ${text}` : text, start: at, status: broken ? Status.FAILED : Status.PASSED });
        if (sub) runtime.stopStep(sub, { stop: at });
      }
      if (ex.requestText || ex.responseText) {
        runtime.writeAttachment(uuid, step, 'request', Buffer.from(ex.requestText), { contentType: 'text/plain' });
        runtime.writeAttachment(uuid, step, 'response', Buffer.from(ex.responseText), { contentType: 'text/plain' });
        runtime.writeAttachment(uuid, step, 'reproduce with curl', Buffer.from(`${ex.curl}\n`), { contentType: 'text/plain' });
      }
      at += Math.max(1, Math.round(ex.durationMs));
      if (step) runtime.stopStep(step, { stop: at });
    }
    runtime.updateTest(uuid, (result) => {
      result.status = status(verdict, ctx.strictCoverage);
      result.statusDetails = details(verdict);
    });
    runtime.stopTest(uuid, { stop: Math.max(at, start + Math.round(verdict.durationMs)) });
    runtime.writeTest(uuid);
  }

  /** A file every viewer of the report finds under the run's global attachments (e.g. the coverage matrix). */
  attachGlobal(name: string, contentType: string, content: string, fileExtension: string): void {
    this.runtime.applyGlobalRuntimeMessages([{ type: 'global_attachment_content', data: { name, content: Buffer.from(content).toString('base64'), encoding: 'base64', contentType, fileExtension } }]);
  }

  writeEnvironment(info: Record<string, string>): void {
    new ReporterRuntime({ writer: new FileSystemWriter({ resultsDir: this.ctx.resultsDir }), environmentInfo: info }).writeEnvironmentInfo();
  }
}

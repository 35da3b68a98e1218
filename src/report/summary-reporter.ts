/**
 * Playwright reporter: collects each test's verdict annotations, writes the
 * coverage matrix (JSON, Markdown, Allure), prints the one-screen summary and
 * fails the run on coverage gaps in STRICT_COVERAGE mode.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { readPlan, removeRunFiles } from '../contract/plan-file';
import { applicableFlows } from '../scenarios/flows';
import { writeCoverageResult } from './allure-results';
import { buildMatrix, renderMarkdown, type CoverageMatrix, type CoverageRecord } from './coverage';
import { reportPaths } from './paths';
import { envFlag } from '../target/config';
import { allNotFoundHint } from './wording';

export const COVERAGE_ANNOTATION = 'coverage';
export const VERDICT_ANNOTATION = 'verdict';

interface VerdictNote {
  checks: string[];
  failures: string[];
  received: number[];
  reason?: string;
}

function annotation(test: TestCase, result: TestResult, type: string): string | undefined {
  return [...result.annotations, ...test.annotations].find((a) => a.type === type)?.description;
}

export default class SummaryReporter implements Reporter {
  private config: FullConfig | null = null;
  private readonly records: CoverageRecord[] = [];
  private readonly received: number[] = [];
  private readonly crashes: string[] = [];

  printsToStdio(): boolean {
    return true;
  }

  async onExit(): Promise<void> {
    removeRunFiles();
  }

  onBegin(config: FullConfig, _suite: Suite): void {
    this.config = config;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const key = annotation(test, result, COVERAGE_ANNOTATION);
    if (!key) return;
    const { operationId, status } = JSON.parse(key) as { operationId: string; status: string };
    const verdictText = annotation(test, result, VERDICT_ANNOTATION);
    const verdict: VerdictNote = verdictText ? (JSON.parse(verdictText) as VerdictNote) : { checks: [], failures: [], received: [] };
    this.received.push(...verdict.received);
    const outcome = result.status === 'skipped' ? 'skipped' : result.status === 'passed' ? 'passed' : 'failed';
    const reason = annotation(test, result, 'skip') ?? verdict.reason;
    if (outcome === 'failed' && verdict.failures.length === 0) {
      // A timeout or a crash of the test itself: keep Playwright's own first line.
      const first = (result.error?.message ?? result.status).split('\n')[0]!;
      verdict.failures.push(first);
      this.crashes.push(`${test.title}: ${first}`);
    }
    this.records.push({
      target: test.parent.project()?.name ?? 'default',
      operationId,
      status,
      outcome,
      checks: verdict.checks,
      failures: verdict.failures,
      ...(reason ? { reason } : {}),
    });
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    const plan = readPlan();
    if (!plan || !this.config) return undefined;
    const projects = this.config.projects.filter((p) => this.records.some((r) => r.target === p.name) || this.config!.projects.length === 1);
    const targets = projects.map((p) => ({ name: p.name || 'default', baseURL: String(p.use.baseURL ?? '') }));
    const diagnoses: string[] = [];
    if (this.received.length >= 3 && this.received.every((s) => s === 404)) diagnoses.push(allNotFoundHint(this.received.length));
    const matrix = buildMatrix(plan, targets, applicableFlows(plan.operations.map((o) => o.operationId)).map((f) => f.id), this.records, diagnoses);
    const paths = reportPaths();
    mkdirSync(paths.root, { recursive: true });
    writeFileSync(paths.coverageJson, `${JSON.stringify(matrix, null, 2)}\n`);
    const markdown = renderMarkdown(matrix);
    writeFileSync(paths.coverageMd, markdown);
    const strict = envFlag('STRICT_COVERAGE');
    // A shard leaves the other shards' cells not covered; the merge (npm run merge) judges those.
    const gaps = matrix.totals.skipped + (this.config.shard ? 0 : matrix.totals.not_covered);
    if (this.records.length === 0) {
      process.stdout.write(`\nno conformance test ran (${result.status}); coverage written to ${relative(process.cwd(), paths.coverageMd)}\n`);
      return undefined;
    }
    writeCoverageResult(paths.allureResults, matrix, markdown);
    process.stdout.write(`${summaryText(matrix, paths, strict)}\n`);
    if (strict && gaps > 0 && result.status === 'passed') return { status: 'failed' };
    return undefined;
  }
}

const COLUMN: Record<string, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip', not_covered: 'GAP' };

export function summaryText(m: CoverageMatrix, paths: ReturnType<typeof reportPaths>, strict: boolean): string {
  const out: string[] = ['', `== ${m.contract.title} ${m.contract.version} (sha256 ${m.contract.sha256.slice(0, 12)}) ==`];
  for (const t of m.targets) {
    const cells = m.cells.filter((c) => c.target === t.name && c.status !== 'flow');
    const statuses = [...new Set(cells.map((c) => c.status))].sort();
    const ops = [...new Set(cells.map((c) => c.operationId))];
    const width = Math.max(9, ...ops.map((o) => o.length));
    out.push(`target ${t.name}: ${t.baseURL}`, `${'operation'.padEnd(width)}  ${statuses.map((s) => s.padStart(4)).join(' ')}`);
    for (const op of ops) {
      const row = statuses.map((s) => {
        const cell = cells.find((c) => c.operationId === op && c.status === s);
        return (cell ? COLUMN[cell.outcome] : '·')!.padStart(4);
      });
      out.push(`${op.padEnd(width)}  ${row.join(' ')}`);
    }
    const flows = m.cells.filter((c) => c.target === t.name && c.status === 'flow');
    if (flows.length) out.push(`flows: ${flows.map((f) => `${f.operationId} ${COLUMN[f.outcome]}`).join(', ')}`);
  }
  const { passed, failed, skipped, not_covered } = m.totals;
  out.push(`documented responses: ${passed} passed, ${failed} failed, ${skipped} skipped, ${not_covered} not covered${strict && skipped + not_covered ? ' (STRICT_COVERAGE: gaps fail the run)' : ''}`);
  for (const d of m.diagnoses) out.push(`!! ${d}`);
  const failures = m.cells.filter((c) => c.outcome === 'failed').flatMap((c) => c.failures);
  for (const line of failures.slice(0, 12)) out.push(`  ${line}`);
  if (failures.length > 12) out.push(`  … ${failures.length - 12} more in ${relative(process.cwd(), paths.coverageMd)}`);
  const skipped_ = m.cells.filter((c) => c.outcome === 'skipped');
  for (const c of skipped_.slice(0, 6)) out.push(`  skipped ${c.operationId} ${c.status}: ${c.reason ?? ''}`);
  out.push(`reports: ${relative(process.cwd(), paths.coverageMd)}, ${relative(process.cwd(), paths.junit)}, ${relative(process.cwd(), paths.allureReport)}/index.html`);
  return out.join('\n');
}

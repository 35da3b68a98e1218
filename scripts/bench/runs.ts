/**
 * Rows 1-4: whole conformance runs (`node scripts/conformance.mjs`,
 * HTML report included) timed as child processes: passing against the separately
 * started mock, failing against a server that violates every response, and a
 * BASE_URL without the API prefix, all without the generated phases (PHASES=none);
 * and the passing run again with both phases on at their defaults, to measure them
 * apart. Every run is checked before its time counts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MeasurementError, ROOT, childEnv, runNode, tail, type ChildResult } from './child';
import type { BenchContext } from './context';
import { resetMock } from './servers';
import { Samples, type Stat } from './stats';

const API_PREFIX = '/metal/v1';

interface Totals {
  passed: number;
  failed: number;
  filtered: number;
  [other: string]: number;
}

interface ResultsFile {
  status: string;
  totals: { responses: Totals; flows: Totals; generated: Totals };
  verdicts: Array<{ key: string; kind: 'response' | 'flow' | 'generated'; outcome: string; reason?: string; durationMs: number }>;
}

export interface CellCounts {
  responses: number;
  flows: number;
}

export interface RunsResult {
  /** Rows 1-4 are runs without the generated phases (PHASES=none): the start-up figures. */
  passing: Stat;
  /** The same passing run with both generated phases on, at their defaults. */
  phased: Stat;
  /** Requests the generated phases sent in a phased run. */
  generatedRequests: number;
  failing: Stat;
  wrongBase: Stat;
  /** Sum of the cells' own durations in results.json of each passing run: the part spent testing. */
  cells: Stat;
  counts: CellCounts;
  /** Peak memory of the passing runs (scripts/bench/memory.ts); null where /proc is missing. */
  memory: { largest: Stat; tree: Stat; processes: number } | null;
}

function conformance(reportsDir: string, baseURL: string, phases = false): Promise<ChildResult> {
  return runNode([resolve(ROOT, 'scripts/conformance.mjs')], childEnv({ REPORTS_DIR: reportsDir, TARGET: 'mock', BASE_URL: baseURL, PHASES: phases ? 'coverage,fuzz' : 'none' }), { memory: true });
}

function readResults(reportsDir: string, run: ChildResult, what: string): ResultsFile {
  const file = join(reportsDir, 'results.json');
  if (!existsSync(file)) throw new MeasurementError(`${what}: no results.json was written (exit ${run.code}):\n${tail(run)}`);
  return JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
}

/** Cells the selection kept: every outcome but `filtered`. */
const selected = (t: Totals) => Object.entries(t).reduce((sum, [k, v]) => (k === 'filtered' ? sum : sum + v), 0);

/** A passing run: exit 0 and every selected cell passed. Returns the cell counts and the time spent in cells. */
export async function passingRun(ctx: BenchContext, phases = false): Promise<{ run: ChildResult; counts: CellCounts; cellsMs: number; generatedRequests: number }> {
  const mock = await ctx.mock();
  // The flows regenerate and consume recovery codes: every run starts from the mock's initial state.
  await resetMock(mock);
  const reports = ctx.tempDir(phases ? 'phased' : 'passing');
  const run = await conformance(reports, mock.url, phases);
  const what = `passing run against the mock at ${mock.url}`;
  if (run.code !== 0) throw new MeasurementError(`${what} exited ${run.code}, not 0:\n${tail(run)}`);
  const results = readResults(reports, run, what);
  const { responses, flows } = results.totals;
  const generated = results.totals.generated;
  const phasesRan = phases ? generated.passed > 0 && generated.failed === 0 : selected(generated) === 0;
  if (results.status !== 'passed' || responses.passed !== selected(responses) || flows.passed !== selected(flows) || responses.passed === 0 || !phasesRan) {
    throw new MeasurementError(`${what}: results.json does not show every cell passed (status ${results.status}, totals ${JSON.stringify(results.totals)})`);
  }
  if (!phases) ctx.passingAllureResults = join(reports, 'allure-results');
  const generatedRequests = (results.verdicts as Array<{ kind: string; exchanges?: unknown[] }>).filter((v) => v.kind === 'generated').reduce((n, v) => n + (v.exchanges?.length ?? 0), 0);
  return { run, counts: { responses: responses.passed, flows: flows.passed }, cellsMs: results.verdicts.reduce((sum, v) => sum + v.durationMs, 0), generatedRequests };
}

/** A failing run: exit 1, every response the passing run judged failed here, and every flow failed or stopped on a defect a response counts (one defect, one failure). */
async function failingRun(ctx: BenchContext, expected: CellCounts): Promise<ChildResult> {
  const server = await ctx.violating();
  const reports = ctx.tempDir('failing');
  const run = await conformance(reports, server.url);
  const what = `failing run against the violating server at ${server.url}`;
  if (run.code !== 1) throw new MeasurementError(`${what} exited ${run.code}, not 1:\n${tail(run)}`);
  const results = readResults(reports, run, what);
  const { responses, flows } = results.totals;
  const folded = (v: (typeof results.verdicts)[number]) => v.kind === 'flow' && v.outcome === 'skipped' && (v.reason ?? '').includes('met the defect already counted in');
  const allFailed = results.verdicts.length > 0 && results.verdicts.every((v) => v.outcome === 'failed' || folded(v));
  if (!allFailed || responses.failed !== expected.responses || selected(responses) !== expected.responses || selected(flows) !== expected.flows) {
    throw new MeasurementError(
      `${what}: results.json does not show every selected cell failed (expected ${expected.responses} responses failed and ${expected.flows} flows failed or stopped on a counted defect; totals ${JSON.stringify(results.totals)})`,
    );
  }
  return run;
}

/** BASE_URL = the mock's origin without /metal/v1: the preflight must stop the run, naming the missing prefix. */
async function wrongBaseRun(ctx: BenchContext): Promise<ChildResult> {
  const mock = await ctx.mock();
  const reports = ctx.tempDir('wrong-base');
  const run = await conformance(reports, mock.origin);
  const what = `run with BASE_URL=${mock.origin} (no ${API_PREFIX})`;
  if (run.code !== 1) throw new MeasurementError(`${what} exited ${run.code}, not 1:\n${tail(run)}`);
  if (!`${run.stdout}${run.stderr}`.includes(`lacks the API prefix ${API_PREFIX}`)) throw new MeasurementError(`${what}: no message "lacks the API prefix ${API_PREFIX}":\n${tail(run)}`);
  if (existsSync(join(reports, 'coverage.json'))) throw new MeasurementError(`${what}: coverage.json was written though the run should stop before any test`);
  return run;
}

export async function measureRuns(ctx: BenchContext): Promise<RunsResult> {
  const samples = new Samples();
  let counts: CellCounts | null = null;
  let processes = 0;
  let generatedRequests = 0;
  // Interleaved (passing, failing, wrong base per round) so that a noisy moment of the shared machine
  // touches every kind of run alike, and the failing/passing ratio compares like with like.
  for (let i = 1; i <= ctx.runs; i++) {
    const passing = await passingRun(ctx);
    counts = passing.counts;
    samples.add('passing', passing.run.ms);
    samples.add('cells', passing.cellsMs);
    const memory = passing.run.memory;
    if (memory) {
      samples.add('largest', memory.largest);
      samples.add('tree', memory.tree);
      processes = Math.max(processes, memory.processes);
    }
    const phased = await passingRun(ctx, true);
    samples.add('phased', phased.run.ms);
    generatedRequests = phased.generatedRequests;
    const failing = await failingRun(ctx, passing.counts);
    samples.add('failing', failing.ms);
    const wrongBase = await wrongBaseRun(ctx);
    samples.add('wrongBase', wrongBase.ms);
    const peak = memory ? ` (peak RSS ${(memory.largest / 1048576).toFixed(0)} MiB)` : '';
    ctx.progress(`runs ${i}/${ctx.runs}: passing ${(passing.run.ms / 1000).toFixed(2)} s${peak}, with the generated phases ${(phased.run.ms / 1000).toFixed(2)} s, failing ${(failing.ms / 1000).toFixed(2)} s, wrong base path ${(wrongBase.ms / 1000).toFixed(2)} s`);
  }
  return {
    passing: samples.stat('passing'),
    phased: samples.stat('phased'),
    generatedRequests,
    failing: samples.stat('failing'),
    wrongBase: samples.stat('wrongBase'),
    cells: samples.stat('cells'),
    counts: counts!,
    memory: processes ? { largest: samples.stat('largest'), tree: samples.stat('tree'), processes } : null,
  };
}

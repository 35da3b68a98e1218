/**
 * The coverage matrix: every cell (documented response or flow) of every target
 * with its outcome in the run's one vocabulary. Shards merge cell by cell.
 */
import { relative } from 'node:path';
import type { CheckName } from '../checks';
import type { Cell } from '../scenarios/plan';
import type { RunPlan } from '../scenarios/run-plan';
import { GAPS, OUTCOMES, type CellVerdict, type GeneratedRecord, type Outcome } from './verdict';
import { belowFloorText, coverageLostText, failureContext, failureLines, generatedSummary, OUTCOME_WORDS } from './wording';

export interface CoverageCell {
  target: string;
  key: string;
  kind: 'response' | 'flow' | 'generated';
  title: string;
  operationId?: string;
  method?: string;
  path?: string;
  status?: string;
  outcome: Outcome;
  reason?: string;
  provokedBy?: string;
  /** Checks that ran, and whether each held on every exchange. */
  checks: Array<{ check: CheckName; passed: boolean }>;
  /** One block of lines per failure, already worded and masked. */
  failures: string[][];
  /** How to send each failing request again. */
  reproduce: string[];
  /** A generated cell's record: phase, seed, requests sent, judged and refused. */
  generated?: GeneratedRecord;
  /** A failed generated cell's failure file, for npm run replay. */
  replay?: string;
}

export type Totals = Record<Outcome, number>;

export interface CoverageMatrix {
  schemaVersion: 2;
  contract: { file: string; title: string; version: string; sha256: string };
  recipes: string[];
  selection: RunPlan['selection'];
  strictCoverage: boolean;
  targets: Array<{ name: string; baseURL: string }>;
  cells: CoverageCell[];
  totals: { responses: Totals; flows: Totals; generated: Totals };
  diagnoses: string[];
  /** Under PIN_COVERAGE: cells that passed in the recorded run and have lost coverage now. */
  coverageLost?: Array<{ target: string; key: string; since: string; now: string }>;
  /** Under MIN_PASSED: targets with fewer passed documented responses and flows than the floor. */
  belowFloor?: Array<{ target: string; passed: number; floor: number }>;
}

const zero = (): Totals => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Totals;

const TOTAL_OF = { response: 'responses', flow: 'flows', generated: 'generated' } as const;

export function totals(cells: CoverageCell[]): CoverageMatrix['totals'] {
  const out = { responses: zero(), flows: zero(), generated: zero() };
  for (const c of cells) out[TOTAL_OF[c.kind]][c.outcome]++;
  return out;
}

/** Whether a cell's outcome fails the run: a failure always; a gap under STRICT_COVERAGE, for documented responses and flows (a generated phase skipped is no gap in coverage of the contract). */
export function failsRun(c: Pick<CoverageCell, 'outcome' | 'kind'>, strict: boolean): boolean {
  return c.outcome === 'failed' || (strict && c.kind !== 'generated' && GAPS.includes(c.outcome));
}

function checksOf(verdict: CellVerdict): CoverageCell['checks'] {
  const byName = new Map<CheckName, boolean>();
  for (const ex of verdict.exchanges) for (const r of ex.checks) byName.set(r.check, (byName.get(r.check) ?? true) && r.passed);
  return [...byName].map(([check, passed]) => ({ check, passed }));
}

export const NOT_JUDGED = 'not judged: no verdict arrived for this selected cell (the run ended before it)';

export function coverageCell(cell: Cell, target: string, verdict: CellVerdict | null, replayFile?: string): CoverageCell {
  const base = {
    target,
    key: cell.key,
    kind: cell.kind,
    title: cell.title,
    ...(cell.kind !== 'flow' ? { operationId: cell.operationId, method: cell.method, path: cell.path } : {}),
    ...(cell.kind === 'response' ? { status: cell.status } : {}),
  };
  if (cell.filteredBy) return { ...base, outcome: 'filtered', reason: cell.filteredBy, checks: [], failures: [], reproduce: [] };
  // Selected but never judged: a gap, never a silent pass or a filter.
  if (!verdict) return { ...base, outcome: 'failed', reason: NOT_JUDGED, checks: [], failures: [[`${cell.title}: ${NOT_JUDGED}`]], reproduce: [] };
  return {
    ...base,
    outcome: verdict.outcome,
    ...(verdict.reason ? { reason: verdict.reason } : {}),
    ...(verdict.provokedBy ? { provokedBy: verdict.provokedBy } : {}),
    checks: checksOf(verdict),
    failures: verdict.failures.map((f) => [failureContext(verdict.title, f, verdict.kind), ...failureLines(f)]),
    reproduce: reproductions(verdict),
    ...(verdict.generated ? { generated: verdict.generated } : {}),
    ...(verdict.failures.some((f) => f.replay) && replayFile ? { replay: replayFile } : {}),
  };
}

/** A curl line per failure: of the exchange that failed (for a generated cell, the reported one). */
function reproductions(verdict: CellVerdict): string[] {
  const failing = verdict.exchanges.filter((e) => e.failure);
  if (verdict.kind !== 'generated') return failing.map((e) => e.curl);
  return verdict.failures.map((f) => failing.findLast((e) => e.failure?.step === f.step)?.curl ?? '').filter(Boolean);
}

export function buildMatrix(run: RunPlan, verdicts: CellVerdict[], diagnoses: string[] = [], replayFile: (target: string, key: string) => string | undefined = () => undefined): CoverageMatrix {
  const byKey = new Map(verdicts.map((v) => [`${v.target}\u0000${v.key}`, v]));
  const cells = run.targets.flatMap((t) => run.cells.map((c) => coverageCell(c, t.name, byKey.get(`${t.name}\u0000${c.key}`) ?? null, replayFile(t.name, c.key))));
  return {
    schemaVersion: 2,
    contract: { file: relative(process.cwd(), run.contract.file) || run.contract.file, title: run.contract.title, version: run.contract.version, sha256: run.contract.sha256 },
    recipes: run.recipes.files.map((f) => relative(process.cwd(), f) || f),
    selection: run.selection,
    strictCoverage: run.strictCoverage,
    targets: run.targets,
    cells,
    totals: totals(cells),
    diagnoses,
  };
}

/** Shards each hold every cell; a cell takes the outcome of the shard that ran it. */
export function mergeMatrices(matrices: CoverageMatrix[]): CoverageMatrix {
  const [first, ...rest] = matrices;
  if (!first) throw new Error('nothing to merge');
  const key = (c: CoverageCell) => `${c.target}\u0000${c.key}`;
  const cells = new Map(first.cells.map((c) => [key(c), c]));
  for (const m of rest) {
    if (m.contract.sha256 !== first.contract.sha256) throw new Error(`cannot merge coverage of different contracts (${m.contract.sha256.slice(0, 12)} vs ${first.contract.sha256.slice(0, 12)})`);
    for (const c of m.cells) {
      const mine = cells.get(key(c));
      if (!mine || (mine.outcome === 'filtered' && c.outcome !== 'filtered')) cells.set(key(c), c);
    }
  }
  const list = [...cells.values()];
  const targets = [...new Map(matrices.flatMap((m) => m.targets).map((t) => [t.name, t])).values()];
  return { ...first, selection: { ...first.selection, shard: null }, targets, cells: list, totals: totals(list), diagnoses: [...new Set(matrices.flatMap((m) => m.diagnoses))] };
}

/** `16 documented responses: 14 passed, 1 failed, 1 not provoked · 2 flows: 2 passed · 13 filtered`. */
export function totalsLine(t: CoverageMatrix['totals']): string {
  const part = (counts: Totals, noun: string) => {
    const run = OUTCOMES.filter((o) => o !== 'filtered');
    const total = run.reduce((n, o) => n + counts[o], 0);
    const shown = run.filter((o) => counts[o] > 0 || o === 'passed' || o === 'failed').map((o) => `${counts[o]} ${OUTCOME_WORDS[o].toLowerCase()}`);
    return `${total} ${noun}${total === 1 ? '' : 's'}: ${shown.join(', ')}`;
  };
  const filtered = t.responses.filtered + t.flows.filtered + t.generated.filtered;
  const generated = OUTCOMES.some((o) => o !== 'filtered' && t.generated[o] > 0) ? [part(t.generated, 'generated phase')] : [];
  return [part(t.responses, 'documented response'), part(t.flows, 'flow'), ...generated, ...(filtered ? [`${filtered} filtered`] : [])].join(' · ');
}

/** Cells that count against the run: failures, and under STRICT_COVERAGE the gaps too. */
export function failing(m: CoverageMatrix): CoverageCell[] {
  return m.cells.filter((c) => failsRun(c, m.strictCoverage));
}

/** Why the gate fails beyond its cells: coverage lost against the pin, or a floor not met. */
export function gateProblems(m: CoverageMatrix): string[] {
  const out: string[] = [];
  if (m.coverageLost?.length) out.push(coverageLostText(m.coverageLost, m.targets.length > 1));
  for (const b of m.belowFloor ?? []) out.push(belowFloorText(b, m.targets.length > 1));
  return out;
}

const cellText = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');

export function renderMarkdown(m: CoverageMatrix): string {
  const lines = [
    `# Coverage: ${m.contract.title} ${m.contract.version}`,
    '',
    `Contract \`${m.contract.file}\` (sha256 \`${m.contract.sha256.slice(0, 16)}…\`)${m.recipes.length ? `, recipes ${m.recipes.map((r) => `\`${r}\``).join(' + ')}` : ', recipes derived from the contract only'}.`,
    '',
    `${totalsLine(m.totals)}${m.strictCoverage ? ' (STRICT_COVERAGE: not provoked, skipped and not covered fail the run)' : ''}.`,
    '',
  ];
  for (const d of m.diagnoses) lines.push(`> **${d}**`, '');
  for (const t of m.targets) {
    const mine = m.cells.filter((c) => c.target === t.name);
    lines.push(`## ${t.name}: ${t.baseURL}`, '', '| documented response or flow | outcome | detail |', '|---|---|---|');
    for (const c of mine.filter((x) => x.outcome !== 'filtered')) {
      const record = c.generated ? generatedSummary(c.generated) : '';
      const detail = c.outcome === 'failed' ? [...c.failures.map((f) => f.join('\n')), ...(c.replay ? [`replay: npm run replay -- ${c.replay}`] : [])].join('\n') : c.outcome === 'passed' ? (c.provokedBy ? `provoked by: ${c.provokedBy}` : record) : (c.reason ?? '');
      const what = c.kind === 'flow' ? c.title : `${c.key} (${c.method} ${c.path})`;
      lines.push(`| ${cellText(what)} | ${OUTCOME_WORDS[c.outcome]} | ${cellText(detail)} |`);
    }
    const filtered = mine.filter((x) => x.outcome === 'filtered');
    if (filtered.length) {
      const byReason = new Map<string, string[]>();
      for (const c of filtered) byReason.set(c.reason ?? 'filtered', [...(byReason.get(c.reason ?? 'filtered') ?? []), c.key]);
      lines.push('');
      for (const [reason, keys] of byReason) lines.push(`Filtered (${reason}): ${keys.length > 20 ? `${keys.slice(0, 20).join(', ')} and ${keys.length - 20} more` : keys.join(', ')}.`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

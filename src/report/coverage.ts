/**
 * The coverage matrix: every documented (operation, status) of every target
 * -> passed / failed / skipped (with reason) / not covered. Shards merge.
 */
import { relative } from 'node:path';
import type { ContractPlan } from '../contract/model';

export type Outcome = 'passed' | 'failed' | 'skipped' | 'not_covered';

export interface CoverageCell {
  target: string;
  operationId: string;
  method: string;
  path: string;
  /** Documented status key, or `flow` for stateful flows (operationId then names the flow). */
  status: string;
  outcome: Outcome;
  reason?: string;
  /** Failing checks. */
  checks: string[];
  /** Redacted one-line failures. */
  failures: string[];
}

export interface CoverageMatrix {
  schemaVersion: 1;
  contract: { file: string; title: string; version: string; sha256: string; tags: string[] };
  targets: Array<{ name: string; baseURL: string }>;
  cells: CoverageCell[];
  totals: Record<Outcome, number>;
  diagnoses: string[];
}

/** What a finished test contributes (from its annotations and result). */
export interface CoverageRecord {
  target: string;
  operationId: string;
  status: string;
  outcome: Exclude<Outcome, 'not_covered'>;
  reason?: string;
  checks: string[];
  failures: string[];
}

const RANK: Record<Outcome, number> = { not_covered: 0, skipped: 1, passed: 2, failed: 3 };

export function cellKey(c: Pick<CoverageCell, 'target' | 'operationId' | 'status'>): string {
  return `${c.target}\u0000${c.operationId}\u0000${c.status}`;
}

function totals(cells: CoverageCell[]): Record<Outcome, number> {
  const out: Record<Outcome, number> = { passed: 0, failed: 0, skipped: 0, not_covered: 0 };
  for (const c of cells) if (c.status !== 'flow') out[c.outcome]++;
  return out;
}

export function buildMatrix(
  plan: ContractPlan,
  targets: Array<{ name: string; baseURL: string }>,
  flowIds: string[],
  records: CoverageRecord[],
  diagnoses: string[] = [],
): CoverageMatrix {
  const cells = new Map<string, CoverageCell>();
  for (const { name } of targets) {
    for (const op of plan.operations) {
      for (const r of op.responses) {
        const cell: CoverageCell = { target: name, operationId: op.operationId, method: op.method, path: op.path, status: r.status, outcome: 'not_covered', checks: [], failures: [] };
        cells.set(cellKey(cell), cell);
      }
    }
    for (const id of flowIds) {
      const cell: CoverageCell = { target: name, operationId: id, method: '', path: '', status: 'flow', outcome: 'not_covered', checks: [], failures: [] };
      cells.set(cellKey(cell), cell);
    }
  }
  for (const rec of records) {
    const cell = cells.get(cellKey(rec));
    if (!cell || RANK[rec.outcome] < RANK[cell.outcome]) continue;
    Object.assign(cell, { outcome: rec.outcome, checks: rec.checks, failures: rec.failures }, rec.reason ? { reason: rec.reason } : {});
  }
  const list = [...cells.values()];
  return {
    schemaVersion: 1,
    contract: { file: relative(process.cwd(), plan.file) || plan.file, title: plan.title, version: plan.version, sha256: plan.sha256, tags: plan.tags },
    targets,
    cells: list,
    totals: totals(list),
    diagnoses,
  };
}

/** Shards each report every cell; a cell takes the most informative outcome any shard saw. */
export function mergeMatrices(matrices: CoverageMatrix[]): CoverageMatrix {
  const [first, ...rest] = matrices;
  if (!first) throw new Error('nothing to merge');
  const cells = new Map(first.cells.map((c) => [cellKey(c), { ...c }]));
  for (const m of rest) {
    if (m.contract.sha256 !== first.contract.sha256) throw new Error(`cannot merge coverage of different contracts (${m.contract.sha256.slice(0, 12)} vs ${first.contract.sha256.slice(0, 12)})`);
    for (const c of m.cells) {
      const mine = cells.get(cellKey(c));
      if (!mine || RANK[c.outcome] > RANK[mine.outcome]) cells.set(cellKey(c), { ...c });
    }
  }
  const targets = [...new Map([...matrices.flatMap((m) => m.targets)].map((t) => [t.name, t])).values()];
  const list = [...cells.values()];
  return { ...first, targets, cells: list, totals: totals(list), diagnoses: [...new Set(matrices.flatMap((m) => m.diagnoses))] };
}

const SYMBOL: Record<Outcome, string> = { passed: 'passed', failed: 'FAILED', skipped: 'skipped', not_covered: 'NOT COVERED' };

export function renderMarkdown(m: CoverageMatrix): string {
  const lines = [
    `# Coverage: ${m.contract.title} ${m.contract.version}`,
    '',
    `Contract \`${m.contract.file}\` (sha256 \`${m.contract.sha256.slice(0, 16)}…\`), tags ${m.contract.tags.join(', ') || '(all)'}.`,
    '',
    `Documented responses: ${m.totals.passed} passed, ${m.totals.failed} failed, ${m.totals.skipped} skipped, ${m.totals.not_covered} not covered.`,
    '',
  ];
  for (const d of m.diagnoses) lines.push(`> **${d}**`, '');
  for (const t of m.targets) {
    lines.push(`## ${t.name}: ${t.baseURL}`, '', '| operation | status | outcome | detail |', '|---|---|---|---|');
    for (const c of m.cells.filter((x) => x.target === t.name)) {
      const what = c.status === 'flow' ? `flow ${c.operationId}` : `${c.operationId} (${c.method} ${c.path})`;
      const detail = c.outcome === 'failed' ? c.failures.join('<br>') : (c.reason ?? '');
      lines.push(`| ${what} | ${c.status} | ${SYMBOL[c.outcome]} | ${detail.replace(/\|/g, '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

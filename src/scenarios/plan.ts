/**
 * The cells of a run: every documented response of the contract, in contract
 * order, then every flow; each either selected or filtered (by TAGS, --grep,
 * --grep-invert or --shard), with the recipe that provokes it, if any.
 */
import type { ContractPlan, OperationSpec } from '../contract/model';
import type { Phase } from '../generate/types';
import type { Flow, Recipe, Recipes } from './types';

/** Where `npm run conformance` (scripts/conformance.mjs) leaves --grep, --grep-invert and --shard for global setup. */
export const SELECTION_ENV = { grep: 'CONTRACT_SUITE_GREP', grepInvert: 'CONTRACT_SUITE_GREP_INVERT', shard: 'CONTRACT_SUITE_SHARD' } as const;

/** The selection a run was started with, read from the environment the wrapper set. */
export function selectionFrom(env: Record<string, string | undefined>, tags: string[]): Selection {
  return { tags, grep: env[SELECTION_ENV.grep] ?? null, grepInvert: env[SELECTION_ENV.grepInvert] ?? null, shard: env[SELECTION_ENV.shard] ?? null };
}

export interface Selection {
  tags: string[];
  grep: string | null;
  grepInvert: string | null;
  /** `i/n`, 1-based. */
  shard: string | null;
}

interface CellBase {
  key: string;
  title: string;
  tags: string[];
  /** Why the run leaves it out; absent when selected. */
  filteredBy?: string;
}

export interface ResponseCell extends CellBase {
  kind: 'response';
  operationId: string;
  /** 1-based position of the operation in the contract. */
  position: number;
  method: string;
  path: string;
  /** The first tag of the operation: groups the report. */
  group: string;
  status: string;
  description: string;
  recipe: Recipe | null;
}

export interface FlowCell extends CellBase {
  kind: 'flow';
  flow: Flow;
  operations: string[];
}

/** An operation's generated inputs in one phase (coverage or fuzz): requests no recipe spells out. */
export interface GeneratedCell extends CellBase {
  kind: 'generated';
  phase: Phase;
  operationId: string;
  position: number;
  method: string;
  path: string;
  group: string;
}

export type Cell = ResponseCell | FlowCell | GeneratedCell;

/** The operations a cell sends requests to. */
export function operationsOf(cell: Cell): string[] {
  return cell.kind === 'flow' ? cell.operations : [cell.operationId];
}

/** Which generated phases a run has, and why one is off. */
export interface GenerationPlan {
  phases: Phase[];
  fuzzRuns: number;
}

/** Playwright-style tag: `@` and no spaces. */
export function tagOf(name: string): string {
  return `@${name.replace(/\s+/g, '-')}`;
}

function responseCells(plan: ContractPlan, recipes: Recipes): ResponseCell[] {
  return plan.operations.flatMap((op: OperationSpec, index) =>
    op.responses.map((r) => {
      const key = `${op.operationId} ${r.status}`;
      return {
        kind: 'response' as const,
        key,
        title: key,
        tags: [...op.tags.map(tagOf), tagOf(op.operationId), tagOf(r.status)],
        operationId: op.operationId,
        position: index + 1,
        method: op.method,
        path: op.path,
        group: op.tags[0] ?? 'untagged',
        status: r.status,
        description: r.description,
        recipe: recipes.recipes[key] ?? null,
      };
    }),
  );
}

/** Generated cells come last: the state the recipes and flows rely on is theirs first. */
function generatedCells(plan: ContractPlan, generation: GenerationPlan): GeneratedCell[] {
  const phases: Phase[] = ['coverage', 'fuzz'];
  return phases.flatMap((phase) =>
    plan.operations.map((op, index) => {
      const key = `${op.operationId} · ${phase}`;
      const off = !generation.phases.includes(phase) ? `PHASES=${generation.phases.join(',') || 'none'}` : phase === 'fuzz' && generation.fuzzRuns === 0 ? 'FUZZ_RUNS=0' : undefined;
      return {
        kind: 'generated' as const,
        key,
        title: key,
        tags: [...op.tags.map(tagOf), tagOf(op.operationId), `@${phase}`],
        phase,
        operationId: op.operationId,
        position: index + 1,
        method: op.method,
        path: op.path,
        group: op.tags[0] ?? 'untagged',
        ...(off ? { filteredBy: off } : {}),
      };
    }),
  );
}

function flowCells(recipes: Recipes): FlowCell[] {
  return recipes.flows.map((flow) => {
    const operations = [...new Set(flow.steps.map((s) => s.call))];
    return { kind: 'flow' as const, key: `flow ${flow.id}`, title: `flow ${flow.id}: ${flow.summary}`, tags: ['@stateful', tagOf(flow.id), ...operations.map(tagOf)], flow, operations };
  });
}

/** Playwright's --grep semantics: a regular expression searched in the title and the tags. */
function matches(pattern: string, cell: Cell): boolean {
  return new RegExp(pattern).test(`${cell.title} ${cell.tags.join(' ')}`);
}

export function planCells(plan: ContractPlan, recipes: Recipes, selection: Selection, generation: GenerationPlan = { phases: [], fuzzRuns: 0 }): Cell[] {
  const cells: Cell[] = [...responseCells(plan, recipes), ...flowCells(recipes), ...generatedCells(plan, generation)];
  const inTags = (operationId: string) => {
    const op = plan.operations.find((o) => o.operationId === operationId);
    return selection.tags.length === 0 || (op?.tags ?? []).some((t) => selection.tags.includes(t));
  };
  for (const cell of cells) {
    if (cell.filteredBy) continue;
    if (!operationsOf(cell).every(inTags)) cell.filteredBy = `TAGS=${selection.tags.join(',')}`;
    else if (selection.grep !== null && !matches(selection.grep, cell)) cell.filteredBy = `--grep ${selection.grep}`;
    else if (selection.grepInvert !== null && matches(selection.grepInvert, cell)) cell.filteredBy = `--grep-invert ${selection.grepInvert}`;
  }
  if (selection.shard) {
    const [index, total] = selection.shard.split('/').map(Number) as [number, number];
    cells.filter((c) => !c.filteredBy).forEach((cell, i) => {
      if (i % total !== index - 1) cell.filteredBy = `--shard ${selection.shard} (another shard runs it)`;
    });
  }
  return cells;
}

/** Problems with a selection, worded for the person who typed it. */
export function selectionProblems(selection: Selection): string[] {
  const problems: string[] = [];
  for (const [flag, pattern] of [['--grep', selection.grep], ['--grep-invert', selection.grepInvert]] as const) {
    if (pattern === null) continue;
    try {
      new RegExp(pattern);
    } catch (error) {
      problems.push(`${flag} ${pattern}: not a regular expression (${(error as Error).message})`);
    }
  }
  if (selection.shard !== null) {
    const m = /^(\d+)\/(\d+)$/.exec(selection.shard);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) problems.push(`--shard ${selection.shard}: expected i/n with 1 <= i <= n, e.g. --shard=1/2`);
  }
  return problems;
}

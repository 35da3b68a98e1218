/**
 * What global setup decides once per run (the contract, the recipes, the cells
 * and the targets), handed to the workers and the reporter as one JSON file.
 * It holds no secret: identity values are read from the environment where needed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContractPlan } from '../contract/model';
import type { Phase } from '../generate/types';
import type { Cell, Selection } from './plan';
import type { Recipes } from './types';

export interface RunTarget {
  name: string;
  baseURL: string;
}

export interface RunPlan {
  startedAt: string;
  contract: ContractPlan;
  recipes: Recipes;
  cells: Cell[];
  targets: RunTarget[];
  kind: 'mock' | 'remote';
  selection: Selection;
  strictCoverage: boolean;
  allowWrites: boolean;
  /** What global setup noticed about the targets that does not stop the run. */
  diagnoses: string[];
  /** Only for the embedded mock: which behaviour it was started with. */
  mock?: { profile: string; mutant: string | null };
  /** The generated phases: the seed every generated input follows (FUZZ_SEED), and their bounds. */
  generation: { phases: Phase[]; fuzzRuns: number; seed: number; maxResponseTimeMs: number | null };
  /** Requests per second per target; 0: unpaced. */
  rateLimitPerSecond: number;
  /** The lines a run opens with: contract, recipes, target, seed; pacing. */
  banner: string[];
  /** How the gate pins its coverage (PIN_COVERAGE, MIN_PASSED). */
  pin: { coverage: boolean; minPassed: number };
}

export const RUN_PLAN_ENV = 'CONTRACT_SUITE_RUN_PLAN';

export function writeRunPlan(plan: RunPlan): string {
  const dir = join(tmpdir(), 'contract-suite');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `run-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(plan));
  // Workers are started after global setup and inherit this.
  process.env[RUN_PLAN_ENV] = file;
  return file;
}

/** Null when global setup has not run (e.g. `playwright test --list`). */
export function readRunPlan(): RunPlan | null {
  const file = process.env[RUN_PLAN_ENV];
  if (!file) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunPlan;
  } catch {
    return null;
  }
}

export function removeRunPlan(): void {
  const file = process.env[RUN_PLAN_ENV];
  if (file) rmSync(file, { force: true });
}

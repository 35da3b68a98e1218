/**
 * What a run decides about each cell (a documented response or a flow) of a
 * target: the one record every output (console, JUnit, Allure, coverage matrix,
 * results.json) is rendered from, so their totals cannot disagree.
 */
import type { CheckResult } from '../checks';
import type { Failure } from '../checks/types';

/** The coverage vocabulary, used the same way in every output. */
export type Outcome = 'passed' | 'failed' | 'not_provoked' | 'skipped' | 'not_covered' | 'filtered';

export const OUTCOMES: Outcome[] = ['passed', 'failed', 'not_provoked', 'skipped', 'not_covered', 'filtered'];

/** Outcomes a STRICT_COVERAGE run counts against the target: the documented behaviour was not shown. */
export const GAPS: Outcome[] = ['not_provoked', 'skipped', 'not_covered'];

export interface ExchangeSummary {
  /** Candidate label or flow step id. */
  label: string;
  operationId: string;
  method: string;
  /** Masked. */
  url: string;
  status: number | null;
  durationMs: number;
  checks: CheckResult[];
  failure: Failure | null;
  /** A copy-pasteable command that sends the same request (secrets as variables or placeholders). */
  curl: string;
  /** Waited before this exchange, and why (e.g. for the next RFC 6238 time step). */
  waited?: { ms: number; why: string };
  /** What the server said of a refusal, in its words (masked). */
  says?: string;
  /** A legal refusal by the server or what stands in front of it (a proxy's 414, a 405 to an undocumented method): not judged as a response. */
  refused?: true;
}

/** What a generated cell sent: its phase and seed, and how many requests were judged or legitimately refused. */
export interface GeneratedRecord {
  phase: 'coverage' | 'fuzz';
  seed: number;
  sent: number;
  judged: number;
  refused: Array<{ status: number; count: number }>;
  /** Further inputs that met a defect this cell counts already. */
  repeats: number;
}

/** How to make a generated request again (npm run replay): its phase, seed and place in the phase's sequence. */
export type ReplayRef =
  | { phase: 'coverage'; seed: number; operationId: string; case: number }
  | { phase: 'fuzz'; seed: number; operationId: string; path: string };

export interface CellVerdict {
  target: string;
  key: string;
  kind: 'response' | 'flow' | 'generated';
  title: string;
  operationId?: string;
  status?: string;
  outcome: Outcome;
  /** Why a cell is not passed or failed, in plain words. */
  reason?: string;
  /** The recipe's summary. */
  summary?: string;
  /** Where the recipe comes from: a file, or what in the contract it is derived from. */
  origin?: string;
  /** The candidate that provoked the documented response. */
  provokedBy?: string;
  failures: Failure[];
  exchanges: ExchangeSummary[];
  /** Flow steps not run, with why (e.g. a refill not needed); candidates left out; what a generated cell met. */
  notes?: string[];
  durationMs: number;
  generated?: GeneratedRecord;
}

/** An exchange as the Allure report shows it: the summary plus the masked request and response. */
export interface ExchangeDetail extends ExchangeSummary {
  requestText: string;
  responseText: string;
}

/** Name of the Playwright step annotation that carries a verdict from the worker to the reporter. */
export const VERDICT_ANNOTATION = 'contract-suite-verdict';

/** reports/failures/<cell>.json: a failed generated cell, as `npm run replay` reads it. No secret is written: inputs are made again from the seed. */
export interface FailureRecord {
  version: 1;
  cell: string;
  target: { name: string; baseURL: string; mock?: { profile: string; mutant: string | null } };
  contract: { file: string; sha256: string };
  recipes: string[];
  allowWrites: boolean;
  failures: Array<{ check: string; lines: string[]; curl: string; replay: ReplayRef }>;
}

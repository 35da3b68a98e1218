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
}

export interface CellVerdict {
  target: string;
  key: string;
  kind: 'response' | 'flow';
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
  /** Flow steps not run, with why (e.g. a refill not needed). */
  notes?: string[];
  durationMs: number;
}

/** An exchange as the Allure report shows it: the summary plus the masked request and response. */
export interface ExchangeDetail extends ExchangeSummary {
  requestText: string;
  responseText: string;
}

/** Name of the Playwright step annotation that carries a verdict from the worker to the reporter. */
export const VERDICT_ANNOTATION = 'contract-suite-verdict';

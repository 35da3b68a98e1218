/**
 * Fixtures: what a target's run needs and is costly to build (the run plan,
 * compiled validators, secret policy, Allure writer) lives per worker; the
 * APIRequestContext is per test, one test per target. Settings that a project
 * may override are option fixtures.
 */
import { test as base, type APIRequestContext } from '@playwright/test';
import { cachedValidators, type CompiledValidators } from '../src/contract/validators';
import { Engine, SHRINK_REQUESTS } from '../src/engine/runner';
import { coverageCases } from '../src/generate/coverage';
import { MAX_RETRY_WAIT_MS, RequestGate } from '../src/engine/http';
import { AllureCellWriter } from '../src/report/allure-writer';
import { reportPaths } from '../src/report/paths';
import { Redactor } from '../src/report/redact';
import { operationsOf, type Cell } from '../src/scenarios/plan';
import { readRunPlan, type RunPlan, type RunTarget } from '../src/scenarios/run-plan';
import { SecretPolicy } from '../src/scenarios/secrets';
import { loadEnv, readSettings } from '../src/settings/config';
import { identityValues } from '../src/settings/identities';

const settings = readSettings();

export interface SuiteOptions {
  requestTimeoutMs: number;
  rateLimitPerSecond: number;
  maxRequests: number;
}

export interface Suite {
  run: RunPlan;
  validators: CompiledValidators;
  secrets: SecretPolicy;
  allure: AllureCellWriter;
  engine(target: RunTarget, request: APIRequestContext): Engine;
  /** An upper bound for a target's run, from its work: every exchange may take the request timeout and honour Retry-After. */
  timeoutFor(cells: Cell[]): number;
}

export const test = base.extend<object, SuiteOptions & { suite: Suite }>({
  requestTimeoutMs: [settings.requestTimeoutMs, { option: true, scope: 'worker' }],
  rateLimitPerSecond: [settings.rateLimitPerSecond, { option: true, scope: 'worker' }],
  maxRequests: [settings.maxRequests, { option: true, scope: 'worker' }],
  suite: [
    async ({ requestTimeoutMs, rateLimitPerSecond, maxRequests }, use) => {
      const run = readRunPlan();
      if (!run) throw new Error('no run plan: start the suite with `npm run conformance` (or `playwright test`) so global setup loads the contract');
      // A selected response provoked inside a flow (recipe `flow:`) needs the operations of the whole flow.
      const flowOps = (id: string | undefined) => run.cells.flatMap((f) => (f.kind === 'flow' && f.flow.id === id ? f.operations : []));
      const selected = new Set(run.cells.flatMap((c) => (c.filteredBy ? [] : c.kind === 'response' ? [c.operationId, ...flowOps(c.recipe?.flow)] : operationsOf(c))));
      const validators = cachedValidators(run.contract, selected);
      const secrets = new SecretPolicy(run.recipes, run.contract);
      const values = identityValues(Object.keys(run.recipes.identities), loadEnv(), run.kind);
      const allure = new AllureCellWriter({ operations: run.contract.operations.length, resultsDir: reportPaths().allureResults, contractTitle: run.contract.title, multiTarget: run.targets.length > 1, strictCoverage: run.strictCoverage });
      const policy = { requestTimeoutMs, rateLimitPerSecond, maxRequests, ignoreHttpsErrors: settings.ignoreHttpsErrors };
      await use({
        run,
        validators,
        secrets,
        allure,
        engine: (target, request) => new Engine({ run, target, validators, identities: values, secrets, redactor: new Redactor(), gate: new RequestGate(policy), policy, request }),
        timeoutFor: (cells) => {
          const exchanges = cells.reduce((n, c) => n + exchangesOf(c, run), 0);
          const waits = cells.reduce((n, c) => n + (c.kind === 'response' && c.recipe?.retry ? (run.recipes.generators[c.recipe.retry.of]?.rfc6238.period ?? 30) * 1000 * (c.recipe.retry.limit ?? 1) : 0), 0);
          return 60_000 + waits + exchanges * (requestTimeoutMs + MAX_RETRY_WAIT_MS + (rateLimitPerSecond ? 1000 / rateLimitPerSecond : 0));
        },
      });
    },
    { scope: 'worker' },
  ],
});

/** At most how many exchanges a cell sends: what its test's timeout is made of. */
function exchangesOf(cell: Cell, run: RunPlan): number {
  if (cell.kind === 'flow') return cell.flow.steps.length;
  if (cell.kind === 'response') return (cell.recipe?.candidates?.length ?? 1) + (cell.recipe?.retry?.limit ?? 0);
  if (cell.phase === 'fuzz') return run.generation.fuzzRuns + SHRINK_REQUESTS;
  const op = run.contract.operations.find((o) => o.operationId === cell.operationId);
  return op ? coverageCases(op, run.contract, { seed: run.generation.seed }).length : 0;
}

export { expect } from '@playwright/test';

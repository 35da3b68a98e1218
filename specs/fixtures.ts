/**
 * Fixtures: the contract plan, validators and request gate live per worker;
 * environment knobs are `option` fixtures a project may override.
 */
import { test as base } from '@playwright/test';
import { compileValidators } from '../src/contract/validators';
import { RequestGate } from '../src/engine/http';
import { readPlan, runStateFile } from '../src/contract/plan-file';
import { Engine, type RunContext } from '../src/engine/runner';
import { AllureObserver } from '../src/report/allure';
import { Redactor } from '../src/report/redact';
import { loadOverrides } from '../src/scenarios/overrides';
import { readTargetConfig } from '../src/target/config';

const fromEnv = readTargetConfig();

export interface TargetOptions {
  allowWrites: boolean;
  requestTimeoutMs: number;
}

export const test = base.extend<{ engine: Engine }, TargetOptions & { run: RunContext }>({
  allowWrites: [fromEnv.allowWrites, { option: true, scope: 'worker' }],
  requestTimeoutMs: [fromEnv.requestTimeoutMs, { option: true, scope: 'worker' }],
  run: [
    async ({ allowWrites, requestTimeoutMs }, use, workerInfo) => {
      const trace = workerInfo.project.use.trace;
      const traceMode = typeof trace === 'object' ? trace.mode : trace;
      if (traceMode && traceMode !== 'off') {
        // Traces record request headers and URLs verbatim: tokens and OTPs would be written to disk.
        throw new Error(`tracing (--trace ${traceMode}) is refused: Playwright traces record API tokens and OTPs unredacted`);
      }
      const plan = readPlan();
      if (!plan) throw new Error('no contract plan: run the suite with `playwright test` so global setup loads the contract');
      const target = { ...fromEnv, allowWrites, requestTimeoutMs };
      const redactor = new Redactor();
      redactor.add(...Object.values(target.identities));
      await use({
        plan,
        target,
        validators: compileValidators(plan),
        overrides: loadOverrides(target.overridesFile),
        redactor,
        gate: new RequestGate(target, runStateFile('gate', String(workerInfo.project.use.baseURL ?? target.baseURL))),
      });
    },
    { scope: 'worker' },
  ],
  engine: async ({ run, request, baseURL }, use) => {
    await use(new Engine(run, request, new AllureObserver(run.redactor), baseURL ?? run.target.baseURL));
  },
});

/**
 * Generated from the contract: one test per (operation, documented status),
 * plus the stateful flows. Tags: @<tag> @<operationId> @<status> @stateful.
 */
import type { TestInfo } from '@playwright/test';
import type { Verdict } from '../src/engine/runner';
import { readPlan } from '../src/contract/plan-file';
import { describeFlowTest, describeRecipe, describeResponseTest, labelVerdict } from '../src/report/allure';
import { COVERAGE_ANNOTATION, VERDICT_ANNOTATION } from '../src/report/summary-reporter';
import { failureLine, testFailureMessage } from '../src/report/wording';
import { applicableFlows } from '../src/scenarios/flows';
import { test } from './fixtures';

async function conclude(verdict: Verdict, testInfo: TestInfo): Promise<void> {
  await describeRecipe(verdict.recipe, verdict.reason);
  testInfo.annotations.push({
    type: VERDICT_ANNOTATION,
    description: JSON.stringify({
      checks: [...new Set(verdict.failures.map((f) => f.check))],
      failures: verdict.failures.map(failureLine),
      received: verdict.received,
      ...(verdict.reason ? { reason: verdict.reason } : {}),
    }),
  });
  test.skip(verdict.outcome === 'skipped', verdict.reason);
  if (verdict.failures.length) {
    await labelVerdict(verdict.failures);
    const error = new Error(testFailureMessage(verdict.failures));
    error.stack = error.message; // the violations are the story; a stack into the engine is noise
    throw error;
  }
}

const plan = readPlan();

if (!plan) {
  test('contract plan is loaded', () => {
    throw new Error('global setup did not run: start the suite with `npm run conformance` or `playwright test`');
  });
} else {
  for (const op of plan.operations) {
    const tags = [...op.tags.map((t) => `@${t.replace(/\s+/g, '-')}`), `@${op.operationId}`];
    test.describe(`${op.tags[0] ?? 'untagged'} › ${op.operationId} (${op.method} ${op.path})`, () => {
      for (const response of op.responses) {
        test(`${op.operationId} ${response.status}`, { tag: [...tags, `@${response.status}`] }, async ({ engine }, testInfo) => {
          testInfo.annotations.push({ type: COVERAGE_ANNOTATION, description: JSON.stringify({ operationId: op.operationId, status: response.status }) });
          await describeResponseTest(plan, op, response.status, testInfo.project.use.baseURL ?? '');
          await conclude(await engine.respond(op.operationId, response.status), testInfo);
        });
      }
    });
  }

  test.describe('stateful flows', () => {
    for (const flow of applicableFlows(plan.operations.map((o) => o.operationId))) {
      const tags = ['@stateful', ...flow.operations.map((o) => `@${o}`)];
      test(`flow ${flow.id}: ${flow.title}`, { tag: tags }, async ({ engine }, testInfo) => {
        testInfo.annotations.push({ type: COVERAGE_ANNOTATION, description: JSON.stringify({ operationId: flow.id, status: 'flow' }) });
        await describeFlowTest(plan, flow.title, flow.operations, testInfo.project.use.baseURL ?? '');
        await conclude(await engine.flow(flow), testInfo);
      });
    }
  });
}

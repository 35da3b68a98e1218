/**
 * One test per target: each selected documented response, each flow and each
 * generated phase is a step; its verdict travels to the reporter as a step
 * annotation and to Allure as an entry of its own. A failed cell fails its step;
 * the run's verdict (and exit code) is the reporter's, from every cell's verdict.
 * The target's test itself does not fail: Playwright replaces a worker after any
 * failed test, and a run of many targets would pay for a new one per target.
 */
import { readRunPlan } from '../src/scenarios/run-plan';
import type { Cell } from '../src/scenarios/plan';
import type { CellRecord } from '../src/engine/runner';
import { TARGET_ANNOTATION } from '../src/report/reporter';
import { VERDICT_ANNOTATION } from '../src/report/verdict';
import { test } from './fixtures';

/** A failed cell fails its step; caught below so the target's other cells still run. */
class CellFailed extends Error {}

function internalError(cell: Cell, target: string, error: unknown): CellRecord {
  const message = (error as Error).message?.split('\n')[0] ?? String(error);
  return {
    verdict: { target, key: cell.key, kind: cell.kind, title: cell.title, outcome: 'failed', reason: `the suite could not run this cell (an error of the suite, not of the server): ${message}`, failures: [], exchanges: [], durationMs: 0 },
    details: [],
  };
}

const run = readRunPlan();

if (!run) {
  test('the run plan is loaded', () => {
    throw new Error('global setup did not run: start the suite with `npm run conformance` or `playwright test`');
  });
} else {
  const cells = run.cells.filter((c) => !c.filteredBy);
  for (const target of run.targets) {
    const title = `${target.name}: ${run.contract.title} ${run.contract.version}`;
    test(title, { tag: '@conformance', annotation: { type: TARGET_ANNOTATION, description: target.name } }, async ({ suite, request }) => {
      test.setTimeout(suite.timeoutFor(cells));
      const engine = suite.engine(target, request);
      const failed: string[] = [];
      for (const cell of cells) {
        const started = Date.now();
        await test
          .step(cell.title, async (step) => {
            let record: CellRecord;
            try {
              record = await engine.runCell(cell);
            } catch (error) {
              record = internalError(cell, target.name, error);
            }
            suite.allure.write(cell, record.verdict, record.details, started);
            step.annotations.push({ type: VERDICT_ANNOTATION, description: JSON.stringify(record.verdict) });
            if (record.verdict.outcome === 'failed') throw new CellFailed(cell.title);
          })
          .catch((error: unknown) => {
            if (!(error instanceof CellFailed)) throw error;
            failed.push(error.message);
          });
      }
      if (failed.length) test.info().annotations.push({ type: 'failed cells', description: `${failed.length} of ${cells.length} cells failed on ${target.name}: ${failed.join(', ')}` });
    });
  }
}

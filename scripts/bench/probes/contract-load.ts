/**
 * Probe: loadContract (the plan cache in front of swagger-parser) on the suite's
 * contract, timed inside a fresh process. Cold or warm is decided by the bench,
 * which clears the cache directory before a cold run.
 */
import { loadContract } from '../../../src/contract/plan-cache';
import { readSettings } from '../../../src/settings/config';
import { reportProbe } from '../child';

async function main(): Promise<void> {
  const file = readSettings().contractFile;
  const started = performance.now();
  const plan = await loadContract(file);
  const loadMs = performance.now() - started;
  if (plan.operations.length === 0) throw new Error(`${file}: no operations loaded`);
  reportProbe({ loadMs, operations: plan.operations.length });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

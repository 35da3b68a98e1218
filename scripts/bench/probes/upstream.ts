/**
 * Probe: the whole upstream Metal contract (BENCH_UPSTREAM), parsed and every
 * validator compiled, in a fresh process, without the plan cache: what a first
 * run against the full API pays.
 */
import { parseContract } from '../../../src/contract/load';
import { compileValidators } from '../../../src/contract/validators';
import { reportProbe } from '../child';

async function main(): Promise<void> {
  const file = process.env.BENCH_UPSTREAM;
  if (!file) throw new Error('BENCH_UPSTREAM is not set');
  const parseStarted = performance.now();
  const { plan } = await parseContract(file);
  const parseMs = performance.now() - parseStarted;
  const compileStarted = performance.now();
  // No operation filter: all operations of the contract.
  const validators = compileValidators(plan);
  const compileMs = performance.now() - compileStarted;
  reportProbe({ parseMs, compileMs, totalMs: parseMs + compileMs, operations: plan.operations.length, compiled: validators.compiled });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

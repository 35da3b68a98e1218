/** Row 7: the whole upstream Metal contract parsed and compiled in a fresh process (no plan cache). */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MeasurementError, ROOT, childEnv, runProbe } from './child';
import type { BenchContext } from './context';
import { Samples, type Stat } from './stats';

export const UPSTREAM_CONTRACT = resolve(ROOT, '../shared/reference/metal_openapi.yaml');

export interface Upstream {
  total: Stat;
  parse: Stat;
  compile: Stat;
  operations: number;
  compiled: number;
}

/** Null when the reference contract is not there (the row says "skipped"). */
export async function measureUpstream(ctx: BenchContext): Promise<Upstream | null> {
  if (!existsSync(UPSTREAM_CONTRACT)) return null;
  const samples = new Samples();
  let operations = 0;
  let compiled = 0;
  for (let i = 1; i <= ctx.runs; i++) {
    const result = await runProbe('upstream.ts', childEnv({ BENCH_UPSTREAM: UPSTREAM_CONTRACT }));
    if (!result.operations) throw new MeasurementError(`${UPSTREAM_CONTRACT}: no operations loaded`);
    operations = result.operations;
    compiled = result.compiled!;
    samples.add('total', result.totalMs!);
    samples.add('parse', result.parseMs!);
    samples.add('compile', result.compileMs!);
    ctx.progress(`upstream ${i}/${ctx.runs}: ${(result.totalMs! / 1000).toFixed(2)} s`);
  }
  return { total: samples.stat('total'), parse: samples.stat('parse'), compile: samples.stat('compile'), operations, compiled };
}

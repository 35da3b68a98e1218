/**
 * The contract is loaded once per run (global setup) and handed to the test
 * collector, the workers and the reporters as a JSON plan file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ContractPlan } from './model';

export const PLAN_ENV = 'METAL_OTP_PLAN_FILE';

export function writePlan(plan: ContractPlan): string {
  const dir = join(tmpdir(), 'metal-otp-contract');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `plan-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(plan));
  process.env[PLAN_ENV] = file;
  return file;
}

/** Removes the run's plan and state files (called once the reporters are done). */
export function removeRunFiles(): void {
  const plan = process.env[PLAN_ENV];
  if (!plan) return;
  const dir = dirname(plan);
  for (const name of readdirSync(dir)) if (join(dir, name).startsWith(plan)) rmSync(join(dir, name), { force: true });
}

/** Null when global setup has not run (e.g. `playwright test --list`). */
export function readPlan(): ContractPlan | null {
  const file = process.env[PLAN_ENV];
  if (!file) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as ContractPlan;
}

/** Per-run, per-target file for state that must outlive a worker (request budget, hung breaker). */
export function runStateFile(kind: string, key: string): string | null {
  const plan = process.env[PLAN_ENV];
  if (!plan) return null;
  return `${plan}.${kind}.${createHash('sha1').update(key).digest('hex').slice(0, 12)}.json`;
}

/**
 * Runs once per run, before tests are collected: validates the configuration,
 * loads and validates the contract, empties allure-results, checks the target
 * answers. Any problem stops the run here with one clear message.
 */
import { mkdirSync, rmSync } from 'node:fs';
import type { FullConfig } from '@playwright/test';
import { loadContract } from '../src/contract/load';
import { compileValidators } from '../src/contract/validators';
import { writePlan } from '../src/contract/plan-file';
import { reportPaths } from '../src/report/paths';
import { unreachableTarget } from '../src/report/wording';
import { loadOverrides } from '../src/scenarios/overrides';
import { readTargetConfig } from '../src/target/config';
import { probe } from '../src/target/preflight';

export default async function globalSetup(config: FullConfig): Promise<void> {
  const target = readTargetConfig();
  loadOverrides(target.overridesFile);
  const paths = reportPaths();
  // allure-playwright never empties its folder: results of earlier runs would pile up.
  rmSync(paths.allureResults, { recursive: true, force: true });
  mkdirSync(paths.allureResults, { recursive: true });
  const plan = await loadContract(target.contractFile, { tags: target.tags });
  const { warnings } = compileValidators(plan);
  for (const warning of warnings) process.stderr.write(`contract warning: ${warning}\n`);
  writePlan(plan);
  const baseURLs = new Set(config.projects.map((p) => String(p.use.baseURL ?? target.baseURL)));
  await Promise.all(
    [...baseURLs].map((url) =>
      probe(url, target).catch((error: Error) => {
        const unreachable = new Error(unreachableTarget(url, error.message));
        unreachable.stack = unreachable.message; // the message says everything; a stack frame would bury it
        throw unreachable;
      }),
    ),
  );
}

/**
 * `npm run replay -- reports/failures/<cell>.json`: sends a failed generated request again, made anew from its
 * phase, seed and place (no secret is stored), and judges the answer with every check. Exit code: 1 when a
 * failure holds again, 0 when every answer now holds, 2 when the file or the settings are wrong.
 * Against a server other than the embedded mock, a request with an unsafe method needs ALLOW_WRITES=1.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from '@playwright/test';
import { loadContract } from '../src/contract/plan-cache';
import { compileValidators } from '../src/contract/validators';
import { RequestGate } from '../src/engine/http';
import { Engine } from '../src/engine/runner';
import { createMockServer, type MockServer } from '../src/mock';
import { Redactor } from '../src/report/redact';
import type { FailureRecord } from '../src/report/verdict';
import { failureContext, failureLines } from '../src/report/wording';
import { resolveRecipes } from '../src/scenarios/recipes';
import type { RunPlan } from '../src/scenarios/run-plan';
import { SecretPolicy } from '../src/scenarios/secrets';
import { ConfigError, loadEnv, readSettings } from '../src/settings/config';
import { identityValues } from '../src/settings/identities';

function stop(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function readRecord(file: string | undefined): FailureRecord {
  if (!file) stop('Usage: npm run replay -- reports/failures/<cell>.json (a failure file a run wrote for a failed generated cell)');
  const path = resolve(file);
  if (!existsSync(path)) stop(`${file}: file not found; failure files are written under reports/failures/ by a run whose generated cells failed`);
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as FailureRecord;
    if (record.version !== 1 || !Array.isArray(record.failures)) throw new Error('not a failure file of this suite (version 1)');
    return record;
  } catch (error) {
    stop(`${file}: ${(error as Error).message}`);
  }
}

async function main(): Promise<number> {
  const record = readRecord(process.argv[2]);
  const env = loadEnv();
  let settings;
  try {
    // The run's contract and recipes, unless the environment names others; BASE_URL sends the request elsewhere.
    settings = readSettings({ ...env, CONTRACT: env.CONTRACT ?? record.contract.file, RECIPES: env.RECIPES ?? record.recipes[0] ?? '', ...(record.recipes[1] && env.SCENARIO_OVERRIDES === undefined ? { SCENARIO_OVERRIDES: record.recipes[1] } : {}), ...(!env.BASE_URL && !record.target.mock ? { BASE_URL: record.target.baseURL } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) stop(error.message);
    throw error;
  }
  const contract = await loadContract(settings.contractFile);
  if (contract.sha256 !== record.contract.sha256) process.stdout.write(`note: ${settings.contractFile} has changed since the failure was recorded; the same seed may make other requests\n`);
  const recipes = resolveRecipes({ recipesFile: settings.recipesFile, overridesFile: settings.overridesFile }, contract);
  let mock: MockServer | null = null;
  let baseURL = settings.baseURL;
  if (!baseURL) {
    mock = createMockServer({ ...(record.target.mock?.profile ? { profile: record.target.mock.profile } : {}), ...(record.target.mock?.mutant ? { mutant: record.target.mock.mutant } : {}) });
    baseURL = await mock.listen(0);
  }
  const operations = new Set(record.failures.map((f) => f.replay.operationId));
  const validators = compileValidators(contract, operations);
  const secrets = new SecretPolicy(recipes, contract);
  const policy = { requestTimeoutMs: settings.requestTimeoutMs, rateLimitPerSecond: settings.rateLimitPerSecond, maxRequests: 0, ignoreHttpsErrors: settings.ignoreHttpsErrors };
  const target = { name: record.target.name, baseURL };
  const run: RunPlan = {
    startedAt: new Date().toISOString(),
    contract,
    recipes,
    cells: [],
    targets: [target],
    kind: mock ? 'mock' : settings.kind,
    selection: { tags: [], grep: null, grepInvert: null, shard: null },
    strictCoverage: false,
    allowWrites: mock ? true : settings.allowWrites,
    diagnoses: [],
    generation: { phases: [], fuzzRuns: 0, seed: 0, maxResponseTimeMs: settings.maxResponseTimeMs },
    rateLimitPerSecond: settings.rateLimitPerSecond,
    banner: [],
    pin: { coverage: false, minPassed: 0 },
  };
  const context = await request.newContext({ ignoreHTTPSErrors: settings.ignoreHttpsErrors });
  let held = 0;
  try {
    const engine = new Engine({ run, target, validators, identities: identityValues(Object.keys(recipes.identities), env, run.kind), secrets, redactor: new Redactor(), gate: new RequestGate(policy), policy, request: context });
    for (const failure of record.failures) {
      process.stdout.write(`\n${record.cell} on ${target.name} (${baseURL}): recorded [${failure.check}] ${failure.lines[1]?.replace(/^\[\w+\] /, '') ?? ''}\n`);
      const result = await engine.replay(failure.replay);
      if (!result.judged) {
        process.stdout.write(`  not sent: ${result.unsent}\n`);
        continue;
      }
      const { checks, exchange } = result.judged;
      process.stdout.write(`  sent again: ${result.label} → ${exchange.response?.status ?? 'no response'}\n`);
      if (checks.failure) {
        held++;
        for (const line of [failureContext(record.cell, checks.failure, 'generated'), ...failureLines(checks.failure)]) process.stdout.write(`  ${line}\n`);
      } else process.stdout.write('  every check holds now\n');
    }
  } finally {
    await context.dispose();
    await mock?.close();
  }
  process.stdout.write(`\n${held ? `${held} of ${record.failures.length} failure${record.failures.length === 1 ? '' : 's'} reproduced` : 'no failure reproduced: every answer holds now'}\n`);
  return held ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => stop(error instanceof Error ? error.message : String(error)),
);

/**
 * Runs once per run, before tests are collected: reads the settings, loads the
 * contract and the recipes, plans the cells, starts the embedded mock or probes
 * the targets. Any problem stops the run here with one message naming the fix.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { FullConfig } from '@playwright/test';
import { selectByTags } from '../src/contract/load';
import type { MockServer } from '../src/mock';
import { AllureCellWriter } from '../src/report/allure-writer';
import { markReportStale } from '../src/report/allure-html';
import { reportPaths } from '../src/report/paths';
import { NO_HTML_ENV } from '../src/report/reporter';
import { foreignContract, noRecipes, pacedNotice, preflightMessage, runBanner, unknownPathsDiagnosis } from '../src/report/wording';
import { loadContract } from '../src/contract/plan-cache';
import type { ContractPlan } from '../src/contract/model';
import type { Cell } from '../src/scenarios/plan';
import { loadCells } from '../src/scenarios/load-cells';
import { writeRunPlan, type RunTarget } from '../src/scenarios/run-plan';
import type { Recipes } from '../src/scenarios/types';
import { isBase32 } from '../src/scenarios/values';
import { ConfigError, defaultContractFile, loadEnv, readSettings, type Settings } from '../src/settings/config';
import { identityValues } from '../src/settings/identities';
import { preflight } from '../src/settings/preflight';
import { readTargets } from '../src/settings/targets';

/** An error whose message is the whole story: Playwright prints it without a stack into the suite. */
function stop(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

function identityProblems(recipes: Recipes, settings: Settings): string[] {
  const values = identityValues(Object.keys(recipes.identities), loadEnv(), settings.kind);
  const problems: string[] = [];
  for (const [name, identity] of Object.entries(recipes.identities)) {
    if (identity.required && settings.kind === 'remote' && values[name] === undefined) problems.push(`${name} is required: ${identity.purpose}`);
  }
  for (const [name, generator] of Object.entries(recipes.generators)) {
    const secret = values[generator.rfc6238.secret];
    if (secret !== undefined && !isBase32(secret)) problems.push(`${generator.rfc6238.secret}: not a base32 secret (RFC 4648 alphabet A-Z, 2-7), which generator ${name} needs`);
  }
  return problems;
}

async function startMock(settings: Settings): Promise<{ mock: MockServer; baseURL: string }> {
  // Loaded only here: a run against BASE_URL or TARGETS never needs the mock's code.
  const { createMockServer } = require('../src/mock') as typeof import('../src/mock');
  let mock: MockServer;
  try {
    mock = createMockServer({ ...(settings.mockProfile ? { profile: settings.mockProfile } : {}), ...(settings.mockMutant ? { mutant: settings.mockMutant } : {}) });
  } catch (error) {
    throw new ConfigError([`MOCK_PROFILE / MOCK_MUTANT: ${(error as Error).message}`]);
  }
  try {
    return { mock, baseURL: await mock.listen(settings.mockPort) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([code === 'EADDRINUSE' ? `MOCK_PORT=${settings.mockPort}: the port is in use. Set MOCK_PORT to a free port, or leave it unset (any free port).` : `MOCK_PORT=${settings.mockPort}: the mock cannot listen (${(error as Error).message})`]);
  }
}

/** Playwright's reporters that record request URLs and headers verbatim, where secrets travel. */
const LEAKY_REPORTERS = ['html', 'json', 'blob'];

/** Outputs of Playwright's own that would write credentials unmasked: refused before anything is sent. */
function leakProblems(config: FullConfig): string[] {
  const problems: string[] = [];
  for (const project of config.projects) {
    const trace = project.use.trace;
    const mode = typeof trace === 'object' ? trace.mode : trace;
    if (mode && mode !== 'off') problems.push(`tracing (--trace ${mode}) is refused: Playwright traces record credentials unmasked; leave --trace out`);
  }
  const leaky = config.reporter.map(([name]) => name).filter((name) => LEAKY_REPORTERS.includes(name));
  if (leaky.length) problems.push(`the ${leaky.join(', ')} reporter is refused: it records request URLs and headers unmasked; the suite writes its own reports under reports/`);
  return [...new Set(problems)];
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

/** The recipes files a run reads, or that none was found beside the contract and what that leaves uncovered. */
function recipesInUse(settings: Settings, recipes: Recipes, cells: Cell[]): string {
  if (recipes.files.length) return recipes.files.map(displayPath).join(' + ');
  const uncovered = cells.filter((c) => c.kind === 'response' && !c.filteredBy && c.recipe === null).length;
  const responses = cells.filter((c) => c.kind === 'response' && !c.filteredBy).length;
  const beside = join(dirname(settings.contractFile), basename(settings.contractFile).replace(/\.openapi\.(ya?ml|json)$/, '') + '.recipes.yaml');
  return noRecipes(process.env.RECIPES !== undefined ? null : displayPath(beside), uncovered, responses);
}

/**
 * The embedded mock serves one API: a contract documenting operations it does not serve would be judged against
 * the wrong server, and its failures read as the server's. Refused, naming BASE_URL.
 */
async function refuseForeignContract(settings: Settings, contract: ContractPlan, inScope: Set<string>): Promise<void> {
  const ownFile = defaultContractFile(process.cwd());
  if (ownFile === settings.contractFile) return;
  const own = await loadContract(ownFile);
  const served = new Set(own.operations.map((o) => `${o.method} ${o.path}`));
  const foreign = contract.operations.filter((o) => inScope.has(o.operationId) && !served.has(`${o.method} ${o.path}`));
  if (foreign.length) throw new ConfigError([foreignContract(displayPath(settings.contractFile), foreign.map((o) => `${o.operationId} (${o.method} ${o.path})`), displayPath(ownFile))]);
}

export default async function globalSetup(config: FullConfig): Promise<(() => Promise<void>) | undefined> {
  const paths = reportPaths();
  const startedAt = new Date().toISOString();
  // allure-results never empties itself; a report left from an earlier run must not pass for this one.
  rmSync(paths.allureResults, { recursive: true, force: true });
  mkdirSync(paths.allureResults, { recursive: true });
  if (process.env[NO_HTML_ENV] !== '1') {
    markReportStale(paths.allureReport, `The run started at ${startedAt} has not produced this report: it is still going, or it stopped before its tests (see its console output).`);
  }
  const leaks = leakProblems(config);
  if (leaks.length) throw new ConfigError(leaks);
  const settings = readSettings();
  const env = loadEnv();
  rmSync(paths.failures, { recursive: true, force: true });
  const seed = settings.fuzzSeed ?? randomInt(-(2 ** 31), 2 ** 31);
  const { selection, contract, recipes, cells } = await loadCells(settings, env);
  const identityIssues = identityProblems(recipes, settings);
  if (identityIssues.length) throw new ConfigError(identityIssues);
  const inScope = selectByTags(contract, settings.tags);
  if (inScope.size === 0) throw new ConfigError([`TAGS=${settings.tags.join(',')}: no operation of ${contract.file} carries ${settings.tags.length > 1 ? 'these tags' : 'this tag'} (tags: ${[...new Set(contract.operations.flatMap((o) => o.tags))].join(', ')})`]);

  if (settings.embeddedMock) await refuseForeignContract(settings, contract, inScope);

  let mock: MockServer | null = null;
  let targets: RunTarget[];
  const diagnoses: string[] = [];
  if (settings.embeddedMock) {
    const started = await startMock(settings);
    mock = started.mock;
    targets = [{ name: 'mock', baseURL: started.baseURL }];
  } else {
    targets = readTargets(env.TARGETS, settings.baseURL, env.TARGET_NAME);
    const reports = await Promise.all(
      targets.map(async (t) => ({ t, d: await preflight(t.baseURL, contract, inScope, { ignoreHttpsErrors: settings.ignoreHttpsErrors, caFile: settings.caFile, timeoutMs: settings.requestTimeoutMs }) })),
    );
    const stops = reports.map(({ t, d }) => preflightMessage(t.baseURL, d, contract.servers)).filter((m): m is string => m !== null);
    if (stops.length) throw stop(stops.join('\n'));
    for (const { t, d } of reports) if (d.kind === 'unknown-paths') diagnoses.push(unknownPathsDiagnosis(t.baseURL));
  }
  const recipesLine = recipesInUse(settings, recipes, cells);
  const banner = [
    runBanner({ contractFile: settings.contractFile, contract, recipes: recipesLine, targets, cells: cells.filter((c) => !c.filteredBy).length, phases: settings.phases, seed }),
    ...(settings.rateLimitPerSecond > 0 ? [pacedNotice(settings.rateLimitPerSecond, settings.kind === 'remote' && !env.RATE_LIMIT_RPS?.trim())] : []),
  ];
  new AllureCellWriter({ resultsDir: paths.allureResults, contractTitle: contract.title, multiTarget: targets.length > 1, strictCoverage: settings.strictCoverage }).writeEnvironment({
    target: targets.map((t) => `${t.name}=${t.baseURL}`).join(' '),
    contract: `${displayPath(settings.contractFile)} (${contract.title} ${contract.version})`,
    contract_sha256: contract.sha256,
    recipes: recipesLine,
    seed: String(seed),
    tags: settings.tags.join(',') || '(all)',
    writes_allowed: String(settings.allowWrites),
    strict_coverage: String(settings.strictCoverage),
    ...(mock ? { mock_profile: mock.profile.name, ...(mock.mutant ? { mock_mutant: mock.mutant.name } : {}) } : {}),
  });
  writeRunPlan({
    startedAt,
    contract,
    recipes,
    cells,
    targets,
    kind: settings.kind,
    selection,
    strictCoverage: settings.strictCoverage,
    allowWrites: settings.allowWrites,
    diagnoses,
    ...(mock ? { mock: { profile: mock.profile.name, mutant: mock.mutant?.name ?? null } } : {}),
    generation: { phases: settings.phases, fuzzRuns: settings.fuzzRuns, seed, maxResponseTimeMs: settings.maxResponseTimeMs },
    rateLimitPerSecond: settings.rateLimitPerSecond,
    banner,
    pin: { coverage: settings.pinCoverage, minPassed: settings.minPassed },
  });
  const running = mock;
  return running ? () => running.close() : undefined;
}


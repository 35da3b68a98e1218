/**
 * Run settings from the environment (and an optional git-ignored env file).
 * Every problem is collected and reported at once, naming the setting and the fix.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { suggestion } from './suggest';

/** The generated phases: a deterministic coverage phase and a seeded fuzz phase. */
export type Phase = 'coverage' | 'fuzz';

export interface Settings {
  /** `mock`: the project's mock (identities known, writes allowed); `remote`: anything else. */
  kind: 'mock' | 'remote';
  /** The suite starts the mock itself (no BASE_URL or TARGETS given). */
  embeddedMock: boolean;
  /** Port of the embedded mock; 0 = any free port. */
  mockPort: number;
  mockProfile: string | null;
  mockMutant: string | null;
  /** Without trailing slash; keeps its path prefix. Null for the embedded mock until it listens. */
  baseURL: string | null;
  contractFile: string;
  /** Recipes beside the contract (`<name>.recipes.yaml`), or RECIPES; null when there is none. */
  recipesFile: string | null;
  overridesFile: string | null;
  tags: string[];
  allowWrites: boolean;
  strictCoverage: boolean;
  requestTimeoutMs: number;
  /** Requests per second per target; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Upper bound on requests per target and run; 0 = unlimited. */
  maxRequests: number;
  ignoreHttpsErrors: boolean;
  caFile: string | null;
  workers: number;
  /** Generated phases to run (PHASES; default both). */
  phases: Phase[];
  /** Fuzz cases per operation (FUZZ_RUNS); 0 turns the fuzz phase off. */
  fuzzRuns: number;
  /** FUZZ_SEED: the seed every generated input follows; null: a fresh one, printed. */
  fuzzSeed: number | null;
  /** MAX_RESPONSE_TIME_MS: every exchange slower than this fails max_response_time; null: off. */
  maxResponseTimeMs: number | null;
  /** PIN_COVERAGE=1: a cell that passed in the previous run of this target may not now lose coverage. */
  pinCoverage: boolean;
  /** MIN_PASSED: fewer passed documented responses and flows than this fails the run; 0: no floor. */
  minPassed: number;
}

export const PHASE_NAMES: readonly Phase[] = ['coverage', 'fuzz'];

/** PHASES: `coverage,fuzz` (the default), one of them, or `none`. */
function phases(env: Env, problems: string[]): Phase[] {
  const raw = env.PHASES?.trim();
  if (raw === undefined || raw === '') return [...PHASE_NAMES];
  if (raw.toLowerCase() === 'none') return [];
  const names = raw.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !PHASE_NAMES.includes(n as Phase));
  for (const n of unknown) problems.push(`PHASES=${raw}: "${n}" is not a phase; give coverage, fuzz, both (coverage,fuzz) or none${suggestion(n, [...PHASE_NAMES, 'none'])}`);
  return PHASE_NAMES.filter((p) => names.includes(p));
}

export class ConfigError extends Error {
  declare readonly problems: string[];

  constructor(problems: string[]) {
    super(`Configuration problems (nothing was run):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    // Non-enumerable and stack-free: runners print the message, not a dump of internals.
    Object.defineProperty(this, 'problems', { value: problems, enumerable: false });
    this.stack = this.message;
  }
}

// On the prototype: an own `name` would be printed beside the message as if it were data.
ConfigError.prototype.name = 'ConfigError';

export type Env = Record<string, string | undefined>;

/** Process environment over the env file (ENV_FILE, default `.env` when present). */
export function loadEnv(env: Env = process.env, cwd = process.cwd()): Env {
  const file = env.ENV_FILE ? resolve(cwd, env.ENV_FILE) : resolve(cwd, '.env');
  if (!existsSync(file)) {
    if (env.ENV_FILE) throw new ConfigError([`ENV_FILE=${env.ENV_FILE}: file not found (${file})`]);
    return env;
  }
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

export const TRUTHY = /^(1|true|yes|on)$/i;

/** Fuzz cases per operation by default: enough to meet what the coverage phase does not aim at, cheap on a mock. */
export const DEFAULT_FUZZ_RUNS = 20;

function flag(env: Env, name: string, problems: string[], fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (TRUTHY.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name}=${raw}: expected 1 or 0`);
  return fallback;
}

function integer(env: Env, name: string, problems: string[], fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

export function normaliseBaseUrl(raw: string, problems: string[], name = 'BASE_URL'): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name}=${raw}: not an absolute URL (e.g. https://api.example.com/v1)`);
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name}=${raw}: only http and https are supported`);
  if (url.search || url.hash) problems.push(`${name}=${raw}: must not carry a query or fragment`);
  if (url.username || url.password) problems.push(`${name}=${raw.replace(/\/\/[^@/]*@/, '//…@')}: credentials go in the identity variables, not in the URL`);
  // Kept without trailing slash; paths are appended, never resolved (resolution would drop the prefix).
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The project's own contract: the one `contracts/*.openapi.yaml`, the API the embedded mock serves. */
export function defaultContractFile(cwd: string): string {
  return contractFile({}, cwd, []);
}

/** CONTRACT, or the one `contracts/*.openapi.yaml` of the project. */
function contractFile(env: Env, cwd: string, problems: string[]): string {
  if (env.CONTRACT?.trim()) {
    const file = resolve(cwd, env.CONTRACT.trim());
    if (!existsSync(file)) problems.push(`CONTRACT=${env.CONTRACT}: file not found (${file})`);
    return file;
  }
  const dir = resolve(cwd, 'contracts');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /\.openapi\.(ya?ml|json)$/.test(f)).sort() : [];
  if (found.length !== 1) {
    problems.push(found.length ? `CONTRACT is needed: contracts/ holds ${found.join(', ')}` : 'CONTRACT is needed: no contracts/*.openapi.yaml found');
    return resolve(dir, 'missing.openapi.yaml');
  }
  return join(dir, found[0]!);
}

/** RECIPES, or `<name>.recipes.yaml` beside `<name>.openapi.yaml` when it exists. */
function recipesFile(env: Env, cwd: string, contract: string, problems: string[]): string | null {
  if (env.RECIPES !== undefined) {
    if (!env.RECIPES.trim()) return null; // RECIPES= runs only the recipes derived from the contract
    const file = resolve(cwd, env.RECIPES.trim());
    if (!existsSync(file)) problems.push(`RECIPES=${env.RECIPES}: file not found (${file})`);
    return file;
  }
  const beside = join(dirname(contract), basename(contract).replace(/\.openapi\.(ya?ml|json)$/, '') + '.recipes.yaml');
  return beside !== contract && existsSync(beside) ? beside : null;
}

export function readSettings(rawEnv: Env = process.env, cwd = process.cwd()): Settings {
  const problems: string[] = [];
  const env = loadEnv(rawEnv, cwd);
  const target = (env.TARGET ?? '').trim().toLowerCase();
  if (target && target !== 'mock' && target !== 'remote') problems.push(`TARGET=${env.TARGET}: expected "mock" or "remote"${suggestion(target, ['mock', 'remote'])}`);
  const hasBaseUrl = Boolean(env.BASE_URL?.trim());
  const hasTargets = Boolean(env.TARGETS?.trim());
  if (target === 'remote' && !hasBaseUrl && !hasTargets) problems.push('TARGET=remote needs BASE_URL (the API root, e.g. https://staging.example/v1)');
  // Anything but the embedded mock is a real server unless TARGET=mock says otherwise: safe defaults first.
  const kind: Settings['kind'] = target === 'mock' || (!target && !hasBaseUrl && !hasTargets) ? 'mock' : 'remote';
  const contract = contractFile(env, cwd, problems);
  const overridesFile = env.SCENARIO_OVERRIDES?.trim() ? resolve(cwd, env.SCENARIO_OVERRIDES.trim()) : null;
  if (overridesFile && !existsSync(overridesFile)) problems.push(`SCENARIO_OVERRIDES=${env.SCENARIO_OVERRIDES}: file not found (${overridesFile})`);
  const caFile = env.CA_FILE?.trim() ? resolve(cwd, env.CA_FILE.trim()) : null;
  if (caFile && !existsSync(caFile)) problems.push(`CA_FILE=${env.CA_FILE}: file not found (${caFile})`);
  const settings: Settings = {
    kind,
    embeddedMock: kind === 'mock' && !hasBaseUrl && !hasTargets,
    mockPort: integer(env, 'MOCK_PORT', problems, 0, 0, 65535),
    mockProfile: env.MOCK_PROFILE?.trim() || null,
    mockMutant: env.MOCK_MUTANT?.trim() || null,
    baseURL: hasBaseUrl ? normaliseBaseUrl(env.BASE_URL!.trim(), problems) : null,
    contractFile: contract,
    recipesFile: recipesFile(env, cwd, contract, problems),
    overridesFile,
    tags: (env.TAGS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    allowWrites: flag(env, 'ALLOW_WRITES', problems, kind === 'mock'),
    strictCoverage: flag(env, 'STRICT_COVERAGE', problems, false),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', problems, 5000, 100, 600_000),
    rateLimitPerSecond: integer(env, 'RATE_LIMIT_RPS', problems, kind === 'mock' ? 0 : 5, 0, 100_000),
    maxRequests: integer(env, 'MAX_REQUESTS', problems, kind === 'mock' ? 0 : 200, 0, 1_000_000),
    ignoreHttpsErrors: flag(env, 'INSECURE_TLS', problems, false),
    caFile,
    workers: integer(env, 'WORKERS', problems, 1, 1, 64),
    phases: phases(env, problems),
    fuzzRuns: integer(env, 'FUZZ_RUNS', problems, DEFAULT_FUZZ_RUNS, 0, 100_000),
    fuzzSeed: env.FUZZ_SEED?.trim() ? integer(env, 'FUZZ_SEED', problems, 0, -(2 ** 31), 2 ** 31 - 1) : null,
    maxResponseTimeMs: integer(env, 'MAX_RESPONSE_TIME_MS', problems, 0, 0, 3_600_000) || null,
    pinCoverage: flag(env, 'PIN_COVERAGE', problems, false),
    minPassed: integer(env, 'MIN_PASSED', problems, 0, 0, 1_000_000),
  };
  if (problems.length) throw new ConfigError(problems);
  return settings;
}

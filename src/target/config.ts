/**
 * Target configuration from the environment (and an optional git-ignored env
 * file). Every problem is collected and reported at once, naming the setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { MOCK_IDENTITIES } from '../mock/identities';
import { IDENTITY_NAMES, IDENTITY_PURPOSE, REQUIRED_FOR_REMOTE, type Identities } from './identities';

export const DEFAULT_CONTRACT = 'contracts/metal-otp.openapi.yaml';
export const DEFAULT_TAGS = ['OTPs'];
export const DEFAULT_MOCK_PORT = 4010;
export const MOCK_BASE_PATH = '/metal/v1';

export interface TargetConfig {
  /** `mock`: the project's mock (identities known, writes allowed); `remote`: anything else. */
  kind: 'mock' | 'remote';
  /** Playwright starts the mock itself (webServer). */
  embeddedMock: boolean;
  mockPort: number;
  /** Without trailing slash; keeps its path prefix (e.g. /metal/v1). */
  baseURL: string;
  contractFile: string;
  tags: string[];
  identities: Identities;
  allowWrites: boolean;
  strictCoverage: boolean;
  requestTimeoutMs: number;
  /** Requests per second per worker; 0 = unlimited. */
  rateLimitPerSecond: number;
  /** Upper bound on requests per worker; 0 = unlimited. */
  maxRequests: number;
  ignoreHttpsErrors: boolean;
  caFile: string | null;
  overridesFile: string | null;
}

export class ConfigError extends Error {
  declare readonly problems: string[];

  constructor(problems: string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    // Non-enumerable and stack-free: runners print the message, not a dump of internals.
    Object.defineProperty(this, 'problems', { value: problems, enumerable: false });
    this.stack = `${this.name}: ${this.message}`;
  }
}

type Env = Record<string, string | undefined>;

/** Process environment over the env file (ENV_FILE, default `.env` when present). */
export function loadEnv(env: Env = process.env, cwd = process.cwd()): Env {
  const file = env.ENV_FILE ? resolve(cwd, env.ENV_FILE) : resolve(cwd, '.env');
  if (!existsSync(file)) {
    if (env.ENV_FILE) throw new ConfigError([`ENV_FILE=${env.ENV_FILE}: file not found`]);
    return env;
  }
  return { ...parseEnv(readFileSync(file, 'utf8')), ...env };
}

export const TRUTHY = /^(1|true|yes|on)$/i;

/** A boolean setting read the same way everywhere (environment over the env file). */
export function envFlag(name: string, env: Env = process.env, cwd = process.cwd()): boolean {
  return TRUTHY.test(loadEnv(env, cwd)[name] ?? '');
}

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

export function normaliseBaseUrl(raw: string, problems: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`BASE_URL=${raw}: not an absolute URL (e.g. https://api.example.com/metal/v1)`);
    return raw;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`BASE_URL=${raw}: only http and https are supported`);
  if (url.search || url.hash) problems.push(`BASE_URL=${raw}: must not carry a query or fragment`);
  if (url.username || url.password) problems.push(`BASE_URL=${raw.replace(/\/\/[^@/]*@/, '//…@')}: credentials go in METAL_AUTH_TOKEN, not in the URL`);
  // Kept without trailing slash; paths are appended, never resolved (resolution would drop the prefix).
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function readTargetConfig(rawEnv: Env = process.env, cwd = process.cwd()): TargetConfig {
  const problems: string[] = [];
  let env: Env;
  try {
    env = loadEnv(rawEnv, cwd);
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError([(error as Error).message]);
  }
  const target = (env.TARGET ?? '').trim().toLowerCase();
  if (target && target !== 'mock' && target !== 'remote') problems.push(`TARGET=${env.TARGET}: expected "mock" or "remote"`);
  const mockPort = integer(env, 'MOCK_PORT', problems, DEFAULT_MOCK_PORT, 0, 65535);
  const hasBaseUrl = Boolean(env.BASE_URL?.trim());
  const hasTargets = Boolean(env.TARGETS?.trim());
  if (target === 'remote' && !hasBaseUrl && !hasTargets) problems.push('TARGET=remote needs BASE_URL (the API root, e.g. https://staging.example/metal/v1)');
  // Anything but the embedded mock is a real server unless TARGET=mock says otherwise: safe defaults first.
  const kind: TargetConfig['kind'] = target === 'mock' || (!target && !hasBaseUrl && !hasTargets) ? 'mock' : 'remote';
  const embeddedMock = kind === 'mock' && !hasBaseUrl && !hasTargets;
  const baseURL = hasBaseUrl
    ? normaliseBaseUrl(env.BASE_URL!.trim(), problems)
    : `http://127.0.0.1:${mockPort}${MOCK_BASE_PATH}`;

  const identities: Identities = {};
  for (const name of IDENTITY_NAMES) {
    const value = env[name]?.trim() || (kind === 'mock' ? MOCK_IDENTITIES[name] : undefined);
    if (value) identities[name] = value;
  }
  if (kind === 'remote') {
    const missing = REQUIRED_FOR_REMOTE.filter((name) => !identities[name]);
    for (const name of missing) problems.push(`${name} is required: ${IDENTITY_PURPOSE[name]}`);
  }
  if (identities.METAL_OTP_SECRET && !/^[A-Z2-7]+=*$/i.test(identities.METAL_OTP_SECRET.replace(/\s/g, ''))) {
    problems.push('METAL_OTP_SECRET: not a base32 secret (RFC 4648 alphabet A-Z, 2-7)');
  }

  const caFile = env.CA_FILE?.trim() ? resolve(cwd, env.CA_FILE.trim()) : null;
  if (caFile && !existsSync(caFile)) problems.push(`CA_FILE=${env.CA_FILE}: file not found`);
  const overridesFile = env.SCENARIO_OVERRIDES?.trim() ? resolve(cwd, env.SCENARIO_OVERRIDES.trim()) : null;
  if (overridesFile && !existsSync(overridesFile)) problems.push(`SCENARIO_OVERRIDES=${env.SCENARIO_OVERRIDES}: file not found`);
  const contractFile = resolve(cwd, env.CONTRACT?.trim() || DEFAULT_CONTRACT);
  if (!existsSync(contractFile)) problems.push(`CONTRACT=${env.CONTRACT ?? DEFAULT_CONTRACT}: file not found (${contractFile})`);
  const tagsRaw = env.TAGS;
  const tags = tagsRaw === undefined ? DEFAULT_TAGS : tagsRaw.split(',').map((t) => t.trim()).filter(Boolean);

  const config: TargetConfig = {
    kind,
    embeddedMock,
    mockPort,
    baseURL,
    contractFile,
    tags,
    identities,
    allowWrites: flag(env, 'ALLOW_WRITES', problems, kind === 'mock'),
    strictCoverage: flag(env, 'STRICT_COVERAGE', problems, false),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', problems, 5000, 100, 600_000),
    rateLimitPerSecond: integer(env, 'RATE_LIMIT_RPS', problems, kind === 'mock' ? 0 : 5, 0, 100_000),
    maxRequests: integer(env, 'MAX_REQUESTS', problems, kind === 'mock' ? 0 : 200, 0, 1_000_000),
    ignoreHttpsErrors: flag(env, 'INSECURE_TLS', problems, false),
    caFile,
    overridesFile,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

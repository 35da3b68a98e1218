/** Builders for the project's own tests: exchanges, check contexts, the loaded contract. */
import { resolve } from 'node:path';
import type { CheckContext, Exchange, Expectations } from '../src/checks/types';
import { parseContract } from '../src/contract/load';
import type { ContractPlan } from '../src/contract/model';
import { compileValidators, type CompiledValidators } from '../src/contract/validators';

export const ROOT = resolve(__dirname, '..');
export const OTP_CONTRACT = resolve(ROOT, 'contracts/metal-otp.openapi.yaml');
export const OTP_RECIPES = resolve(ROOT, 'contracts/metal-otp.recipes.yaml');
export const UPSTREAM_CONTRACT = resolve(ROOT, '../shared/reference/metal_openapi.yaml');
export const fixture = (name: string) => resolve(ROOT, 'tests/fixtures', name);

export interface Loaded {
  plan: ContractPlan;
  validators: CompiledValidators;
}

const cache = new Map<string, Promise<Loaded>>();

export function loaded(file = OTP_CONTRACT): Promise<Loaded> {
  let entry = cache.get(file);
  if (!entry) {
    entry = parseContract(file).then(({ plan }) => ({ plan, validators: compileValidators(plan) }));
    cache.set(file, entry);
  }
  return entry;
}

export interface ContextOptions {
  credential?: CheckContext['credential'];
  expect?: Expectations;
  secret?: string[];
}

export function ctx(l: Loaded, operationId: string, options: ContextOptions = {}): CheckContext {
  const operation = l.plan.operations.find((o) => o.operationId === operationId);
  if (!operation) throw new Error(`no ${operationId}`);
  const secret = options.secret ?? [];
  return {
    operation,
    validators: l.validators,
    credential: options.credential ?? 'valid',
    expect: options.expect ?? {},
    isSecret: (pointer) => secret.some((s) => s === pointer || s.startsWith(`${pointer}/`)),
    isSecretHeader: (name) => secret.includes(`header:${name.toLowerCase()}`),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}, method = 'GET'): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return respond(status, text, { 'Content-Type': 'application/json', ...headers }, method);
}

export function respond(status: number, body: string | Buffer = '', headers: Record<string, string> = {}, method = 'GET'): Exchange {
  return {
    request: { method, url: 'http://test/metal/v1/x', headers: [] },
    response: {
      status,
      statusText: '',
      headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
      body: Buffer.isBuffer(body) ? body : Buffer.from(body),
    },
    error: null,
    durationMs: 1,
  };
}

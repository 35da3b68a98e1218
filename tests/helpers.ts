/** Builders for the project's own tests: exchanges, contexts, the loaded contract. */
import { resolve } from 'node:path';
import type { CheckContext, Exchange, ExchangeIntent } from '../src/checks/types';
import { loadContract } from '../src/contract/load';
import type { ContractPlan } from '../src/contract/model';
import { compileValidators, type CompiledValidators } from '../src/contract/validators';

export const ROOT = resolve(__dirname, '..');
export const OTP_CONTRACT = resolve(ROOT, 'contracts/metal-otp.openapi.yaml');
export const UPSTREAM_CONTRACT = resolve(ROOT, '../shared/reference/metal_openapi.yaml');

export interface Loaded {
  plan: ContractPlan;
  validators: CompiledValidators;
}

const cache = new Map<string, Promise<Loaded>>();

export function loaded(file = OTP_CONTRACT, tags = ['OTPs']): Promise<Loaded> {
  const key = `${file}|${tags.join(',')}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = loadContract(file, { tags }).then((plan) => ({ plan, validators: compileValidators(plan) }));
    cache.set(key, entry);
  }
  return entry;
}

export function ctx(l: Loaded, operationId: string, intent: Partial<ExchangeIntent> = {}): CheckContext {
  const operation = l.plan.operations.find((o) => o.operationId === operationId);
  if (!operation) throw new Error(`no ${operationId}`);
  return { operation, validators: l.validators, intent: { expectedStatus: null, credentials: 'valid', ...intent } };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return respond(status, text, { 'Content-Type': 'application/json', ...headers });
}

export function respond(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Exchange {
  return {
    request: { method: 'GET', url: 'http://test/metal/v1/x', headers: {} },
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

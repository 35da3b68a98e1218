/**
 * Runs scenarios and flows: builds each request from the contract and the
 * target, sends it, runs the checks, registers secrets, hands the exchange to
 * the observer (Allure) and returns a Verdict the specs turn into a test result.
 */
import { randomBytes } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { parseJsonBody, recoveryCodeCandidates } from '../checks/recovery-codes';
import { runChecks } from '../checks';
import type { CheckContext, Exchange, ExchangeIntent, Failure } from '../checks/types';
import { isSecured, type ContractPlan, type OperationSpec } from '../contract/model';
import type { CompiledValidators } from '../contract/validators';
import type { ExchangeObserver } from '../report/allure';
import type { Redactor } from '../report/redact';
import { missingScenario } from '../report/wording';
import { scenarioFor, scenarioNeeds, type ScenarioOverride } from '../scenarios/catalogue';
import type { Flow, FlowDriver, FlowStepResult } from '../scenarios/flows';
import type { Call, PathValue, Scenario } from '../scenarios/types';
import type { TargetConfig } from '../target/config';
import { IDENTITY_PURPOSE, type IdentityName } from '../target/identities';
import { HUNG_AFTER_TIMEOUTS, send, type RequestGate } from './http';

const HUNG_TARGET = `the target did not answer ${HUNG_AFTER_TIMEOUTS} requests in a row`;
import { currentOtp, wrongOtp } from './totp';
import { buildUrl } from './url';

export interface RunContext {
  plan: ContractPlan;
  validators: CompiledValidators;
  target: TargetConfig;
  overrides: Record<string, ScenarioOverride>;
  redactor: Redactor;
  gate: RequestGate;
}

export interface Verdict {
  operationId: string;
  status: string;
  outcome: 'passed' | 'failed' | 'skipped';
  reason?: string;
  recipe?: string;
  failures: Failure[];
  /** Statuses received, in order (for run-level diagnoses such as a wrong base path). */
  received: number[];
}

class FlowAborted extends Error {}

export class Engine {
  private readonly invalidToken = `invalid-${randomBytes(12).toString('hex')}`;

  constructor(
    private readonly run: RunContext,
    private readonly request: APIRequestContext,
    private readonly observer: ExchangeObserver,
    private readonly baseURL: string = run.target.baseURL,
  ) {}

  operation(operationId: string): OperationSpec {
    const op = this.run.plan.operations.find((o) => o.operationId === operationId);
    if (!op) throw new Error(`operation ${operationId} is not in the contract selection`);
    return op;
  }

  scenario(operationId: string, statusKey: string): Scenario | null {
    return scenarioFor(this.operation(operationId), statusKey, this.run.overrides);
  }

  /** Why this target cannot run something needing these identities and side effects, or null. */
  precondition(needs: IdentityName[], writes: boolean, skip?: string): string | null {
    if (skip) return skip;
    // The tests that met the hang have failed already; the rest would each wait for the timeout again.
    if (this.run.gate.hung) return `not run: ${HUNG_TARGET}`;
    if (this.run.gate.exhausted) return `not run: the request budget of ${this.run.target.maxRequests} is spent (MAX_REQUESTS)`;
    const missing = needs.filter((n) => !this.run.target.identities[n]);
    if (missing.length) return `needs ${missing.map((n) => `${n} (${IDENTITY_PURPOSE[n]})`).join(', ')}`;
    if (writes && !this.run.target.allowWrites) return 'has side effects on the account: runs only with ALLOW_WRITES=1';
    return null;
  }

  async respond(operationId: string, statusKey: string): Promise<Verdict> {
    const op = this.operation(operationId);
    const base = { operationId, status: statusKey, received: [] as number[] };
    const scenario = this.scenario(operationId, statusKey);
    if (!scenario) {
      const gap: Failure = { check: 'scenario_coverage', kind: 'coverage', operationId, status: null, location: 'scenario catalogue', expected: `a scenario for ${operationId} ${statusKey}`, actual: missingScenario(operationId, statusKey) };
      return { ...base, outcome: 'failed', failures: [gap] };
    }
    const skip = this.precondition(scenarioNeeds(scenario), scenario.writes, scenario.skip);
    if (skip) return { ...base, outcome: 'skipped', reason: skip, recipe: scenario.recipe, failures: [] };
    const failures: Failure[] = [];
    for (const call of scenario.calls) {
      const intent: ExchangeIntent = { expectedStatus: scenario.status, credentials: credentialKind(call), ...scenario.intent };
      const result = await this.exchange(op, call, intent);
      if (result.exchange.response) base.received.push(result.exchange.response.status);
      failures.push(...result.failures);
    }
    return { ...base, outcome: failures.length ? 'failed' : 'passed', recipe: scenario.recipe, failures };
  }

  async flow(flow: Flow): Promise<Verdict> {
    const base = { operationId: flow.operations.join('+'), status: 'flow', received: [] as number[] };
    const skip = this.precondition(flow.needs, true);
    if (skip) return { ...base, outcome: 'skipped', reason: skip, recipe: flow.title, failures: [] };
    const failures: Failure[] = [];
    const driver: FlowDriver = {
      call: async (operationId, call, intent): Promise<FlowStepResult> => {
        const { exchange, failures: found } = await this.exchange(this.operation(operationId), call, { credentials: credentialKind(call), ...intent });
        if (exchange.response) base.received.push(exchange.response.status);
        failures.push(...found);
        return { status: exchange.response?.status ?? null, json: exchange.response ? parseJsonBody(exchange.response.body) : undefined, ok: found.length === 0 };
      },
      abort: (reason) => {
        throw new FlowAborted(reason);
      },
    };
    try {
      await flow.run(driver);
    } catch (error) {
      if (!(error instanceof FlowAborted)) throw error;
      const reason = this.run.redactor.redact(error.message);
      failures.push({ check: 'flow_precondition', kind: 'behaviour', operationId: base.operationId, status: null, location: 'flow', expected: 'the server to allow the next step', actual: reason });
    }
    return { ...base, outcome: failures.length ? 'failed' : 'passed', recipe: flow.title, failures };
  }

  private async exchange(op: OperationSpec, call: Call, intent: ExchangeIntent): Promise<{ exchange: Exchange; failures: Failure[] }> {
    const { target, redactor, validators } = this.run;
    const headers: Record<string, string> = { accept: 'application/json' };
    const query: string[] = [];
    const credential = this.credentialValue(call);
    if (credential !== null && isSecured(op)) {
      for (const scheme of op.security[0] ?? []) {
        if (scheme.type !== 'apiKey' || !scheme.paramName) continue;
        if (scheme.in === 'header') headers[scheme.paramName] = credential;
        else if (scheme.in === 'query') query.push(`${encodeURIComponent(scheme.paramName)}=${encodeURIComponent(credential)}`);
        else if (scheme.in === 'cookie') headers.cookie = `${scheme.paramName}=${credential}`;
      }
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(call.path ?? {})) params[name] = this.pathValue(value);
    redactor.add(...Object.values(params), credential);
    const url = buildUrl(this.baseURL, op.path, params) + (query.length ? `?${query.join('&')}` : '');
    const exchange = await send(this.request, this.run.gate, { ...target }, { method: op.method, url, headers });
    if (exchange.response) redactor.add(...recoveryCodeCandidates(exchange.response.body));
    const ctx: CheckContext = { operation: op, validators, intent };
    const failures = runChecks(ctx, exchange).map((f) => redactor.redactFailure(f));
    await this.observer.exchange(`${op.method} ${op.path} (${call.label})`, exchange, failures);
    return { exchange, failures };
  }

  private credentialValue(call: Call): string | null {
    if (call.credential === 'missing') return null;
    if (call.credential === 'invalid') return this.invalidToken;
    return this.run.target.identities[call.credential.identity] ?? null;
  }

  private pathValue(value: PathValue): string {
    const secret = this.run.target.identities.METAL_OTP_SECRET;
    if (value === 'current-otp' || value === 'wrong-otp') {
      if (!secret) throw new Error('METAL_OTP_SECRET is needed to compute an OTP');
      return value === 'current-otp' ? currentOtp(secret) : wrongOtp(secret);
    }
    return value.literal;
  }
}

function credentialKind(call: Call): ExchangeIntent['credentials'] {
  return typeof call.credential === 'object' ? 'valid' : call.credential;
}

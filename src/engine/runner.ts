/**
 * Runs the cells of one target: for a documented response, its recipe's
 * candidates until the response is provoked; for a flow, its steps in order.
 * Every exchange goes through every check; the verdict follows the contract,
 * not any one server: a documented, conforming answer that is not the one aimed
 * at is "not provoked", never a violation.
 */
import { randomBytes } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import { runChecks, type CheckRun } from '../checks';
import { parseJsonBody, valueAt } from '../checks/http';
import type { Expectations, Exchange, Failure } from '../checks/types';
import { findOperation, isSafeMethod, type OperationSpec } from '../contract/model';
import { documentedClientErrors, documentedResponse, isDocumentedRejection, provokes } from '../contract/responses';
import type { CompiledValidators } from '../contract/validators';
import { curlCommand, requestText, responseText } from '../report/render';
import type { Redactor } from '../report/redact';
import type { CellVerdict, ExchangeDetail, ExchangeSummary } from '../report/verdict';
import {
  budgetSpent,
  hungTarget,
  needsIdentities,
  notCovered,
  unprovokedReason,
  requestBreaksContract,
  stepUnmet,
  recipeToFix,
  defectCountedIn,
  unauthenticatedWriteNotAllowed,
  SINGLE_INPUT_LABEL,
  waitedForPeriod,
  WRITES_NOT_ALLOWED,
} from '../report/wording';
import type { Cell, FlowCell, ResponseCell } from '../scenarios/plan';
import { buildRequest, UnmetPrecondition, type BuiltRequest, type SavedValue } from '../scenarios/request';
import type { RunPlan, RunTarget } from '../scenarios/run-plan';
import type { SecretPolicy } from '../scenarios/secrets';
import { INVALID_CREDENTIAL, NO_CREDENTIAL, isExpression, type Inputs, type Recipe, type StepDef } from '../scenarios/types';
import { untilNextPeriod } from '../scenarios/values';
import { HUNG_AFTER_TIMEOUTS, send, type RequestGate, type SendPolicy } from './http';

export interface CellRecord {
  verdict: CellVerdict;
  details: ExchangeDetail[];
}

export interface EngineContext {
  run: RunPlan;
  target: RunTarget;
  validators: CompiledValidators;
  /** Values of the configured identities. */
  identities: Record<string, string>;
  secrets: SecretPolicy;
  redactor: Redactor;
  gate: RequestGate;
  policy: SendPolicy;
  request: APIRequestContext;
}

/** Small margin after a period boundary: the server's clock may lag ours a little. */
const PERIOD_MARGIN_MS = 300;

/** A flow cannot go on for a reason that is not the server's fault: it ends skipped, saying why. */
class FlowStopped extends Error {}

export class Engine {
  private readonly invalidCredential = `invalid-credential-${randomBytes(8).toString('hex')}`;

  constructor(private readonly ctx: EngineContext) {
    ctx.redactor.add(...Object.values(ctx.identities));
  }

  private op(key: string): OperationSpec {
    const op = findOperation(this.ctx.run.contract, key);
    if (!op) throw new Error(`operation ${key} is not in the contract`);
    return op;
  }

  /** Flows already run for a response cell that is provoked inside them (recipe `flow:`): each runs once. */
  private readonly flows = new Map<string, Promise<CellRecord>>();

  /** Defects already counted by a response cell of this target, to the cell's key: a flow meeting one again does not count it twice. */
  private readonly counted = new Map<string, string>();

  async runCell(cell: Cell): Promise<CellRecord> {
    const started = performance.now();
    const record = cell.kind === 'response' ? await this.runResponse(cell) : this.foldCounted(await this.flowOnce(cell));
    if (cell.kind === 'response') for (const f of record.verdict.failures) this.counted.set(defectKey(f), cell.key);
    return {
      details: record.details,
      verdict: {
        ...record.verdict,
        durationMs: performance.now() - started,
        failures: record.verdict.failures.map((f) => this.ctx.redactor.redactFailure(f)),
        // The verdict travels to every output; the masked request and response texts go to Allure only.
        exchanges: record.verdict.exchanges.map(({ requestText: _req, responseText: _res, ...summary }: ExchangeSummary & Partial<ExchangeDetail>) => summary),
      },
    };
  }

  /** One defect, one failure: a flow that failed on a defect a response cell already counts could not judge past it. */
  private foldCounted(record: CellRecord): CellRecord {
    const failure = record.verdict.outcome === 'failed' ? record.verdict.failures[0] : undefined;
    const countedIn = failure && this.counted.get(defectKey(failure));
    if (!failure || !countedIn) return record;
    const { failures: _counted, ...verdict } = record.verdict;
    return { ...record, verdict: { ...verdict, failures: [], outcome: 'skipped', reason: defectCountedIn(failure.step ?? '?', failure.check, countedIn) } };
  }

  private base(cell: Cell): Omit<CellVerdict, 'outcome'> {
    const recipe = cell.kind === 'response' ? cell.recipe : cell.flow;
    const origin = recipe ? ('file' in recipe.origin ? recipe.origin.file : `derived from the contract: ${recipe.origin.derived}`) : undefined;
    return {
      target: this.ctx.target.name,
      key: cell.key,
      kind: cell.kind,
      title: cell.title,
      ...(cell.kind === 'response' ? { operationId: cell.operationId, status: cell.status } : {}),
      ...(recipe?.summary ? { summary: recipe.summary } : {}),
      ...(origin ? { origin } : {}),
      failures: [],
      exchanges: [],
      durationMs: 0,
    };
  }

  /** The credential a request uses: its own, the recipe's, the defaults', else none. */
  private credentialOf(...choices: Array<string | undefined>): string {
    return choices.find((c) => c !== undefined) ?? this.ctx.run.recipes.defaultAs ?? NO_CREDENTIAL;
  }

  /** Identities a set of inputs reads: credentials, generator secrets, $identity values. */
  private needs(inputs: Inputs[], credentials: string[]): string[] {
    const needed = new Set(credentials.filter((c) => c !== NO_CREDENTIAL && c !== INVALID_CREDENTIAL));
    const walk = (node: unknown): void => {
      if (isExpression(node)) {
        const e = node as Record<string, unknown>;
        if (typeof e.$generate === 'string') {
          const def = this.ctx.run.recipes.generators[e.$generate];
          if (def) needed.add(def.rfc6238.secret);
        }
        if (typeof e.$identity === 'string') needed.add(e.$identity);
      } else if (node && typeof node === 'object') for (const v of Object.values(node)) walk(v);
    };
    for (const i of inputs) walk([i.path, i.query, i.headers, i.cookies, i.body]);
    return [...needed];
  }

  private needsText(missing: string[]): string {
    return needsIdentities(missing.map((name) => ({ name, purpose: this.ctx.run.recipes.identities[name]?.purpose ?? 'undeclared identity' })));
  }

  /** Why the target cannot run this, or null. */
  private precondition(needs: string[], writes: boolean, writesReason = WRITES_NOT_ALLOWED): string | null {
    // The requests that met the hang have failed already; the rest would each wait for the timeout again.
    if (this.ctx.gate.hung) return hungTarget(HUNG_AFTER_TIMEOUTS);
    if (this.ctx.gate.exhausted) return budgetSpent(this.ctx.policy.maxRequests);
    const missing = needs.filter((n) => this.ctx.identities[n] === undefined);
    if (missing.length) return this.needsText(missing);
    if (writes && !this.ctx.run.allowWrites) return writesReason;
    return null;
  }

  private async exchange(op: OperationSpec, inputs: Inputs, as: string, label: string, expect: Expectations, saved: Map<string, SavedValue>, underTest: string, fixIn: string): Promise<{ built: BuiltRequest; exchange: Exchange; checks: CheckRun; detail: ExchangeDetail }> {
    const { ctx } = this;
    // Cells after a hang or past the budget are not judged at all: not sent is not a failure of the server.
    if (ctx.gate.hung) throw new UnmetPrecondition(hungTarget(HUNG_AFTER_TIMEOUTS));
    if (ctx.gate.exhausted) throw new UnmetPrecondition(budgetSpent(ctx.policy.maxRequests));
    const built = buildRequest(op, ctx.target.baseURL, inputs, as, {
      identities: ctx.run.recipes.identities,
      values: ctx.identities,
      generators: ctx.run.recipes.generators,
      saved,
      secretParameters: (name) => ctx.secrets.isSecretParameter(name),
      invalidCredential: this.invalidCredential,
      validators: ctx.validators,
      now: () => ctx.gate.clock.now(),
    });
    if (built.problems.length) throw new UnmetPrecondition(requestBreaksContract(built.problems, fixIn));
    ctx.redactor.add(...built.secrets);
    const exchange = await send(ctx.request, ctx.gate, ctx.policy, { method: built.method, url: built.url, headers: built.headers, ...(built.body !== undefined ? { body: built.body } : {}) });
    ctx.redactor.add(...ctx.secrets.collectExchange(exchange));
    const checks = runChecks({ operation: op, validators: ctx.validators, credential: built.credential, expect, isSecret: (p) => ctx.secrets.isSecretPointer(p), isSecretHeader: (h) => ctx.secrets.isSecretHeader(h) }, exchange);
    const failure: Failure | null = checks.failure ? ctx.redactor.redactFailure({ ...checks.failure, underTest, step: label }) : null;
    const summary: ExchangeSummary = {
      label,
      operationId: op.operationId,
      method: op.method,
      url: ctx.redactor.redact(built.url),
      status: exchange.response?.status ?? null,
      durationMs: exchange.durationMs,
      checks: checks.results,
      failure,
      curl: curlCommand(built, ctx.secrets, ctx.redactor),
    };
    return {
      built,
      exchange,
      checks: { ...checks, failure },
      detail: { ...summary, requestText: requestText(exchange, ctx.secrets, ctx.redactor), responseText: responseText(exchange, ctx.secrets, ctx.redactor) },
    };
  }

  private async runResponse(cell: ResponseCell): Promise<CellRecord> {
    const base = this.base(cell);
    const recipe: Recipe | null = cell.recipe;
    if (!recipe) return { verdict: { ...base, outcome: 'not_covered', reason: notCovered(cell.key, this.ctx.run.recipes.files[0] ?? null) }, details: [] };
    if (recipe.skip) return { verdict: { ...base, outcome: 'skipped', reason: recipe.skip }, details: [] };
    if (recipe.flow) return this.viaFlow(cell, recipe);
    const op = this.op(cell.operationId);
    const all = recipe.candidates?.length ? recipe.candidates.map((c) => ({ ...recipe, ...c })) : [{ ...recipe, label: SINGLE_INPUT_LABEL }];
    const allCredentials = all.map((c) => this.credentialOf(c.as, recipe.as));
    // Any one candidate may provoke the response: those whose identities are missing are left out, and said so; `send: all` needs every one.
    const missing = all.map((c, i) => this.needs([c], [allCredentials[i]!]).filter((n) => this.ctx.identities[n] === undefined));
    const every = all.map((_, i) => i);
    const runnable = every.filter((i) => missing[i]!.length === 0);
    const kept = recipe.send === 'all' || runnable.length === 0 ? every : runnable;
    const candidates = kept.map((i) => all[i]!);
    const credentials = kept.map((i) => allCredentials[i]!);
    const notes = all.flatMap((c, i) => (kept.includes(i) ? [] : [`${c.label} not tried: ${this.needsText(missing[i]!)}`]));
    const writes = recipe.writes ?? !isSafeMethod(op.method);
    const unauthenticated = credentials.every((c) => c === NO_CREDENTIAL || c === INVALID_CREDENTIAL);
    const blocked = this.precondition(this.needs(candidates, credentials), writes, unauthenticated ? unauthenticatedWriteNotAllowed(op.method) : WRITES_NOT_ALLOWED);
    if (blocked) return { verdict: { ...base, outcome: 'skipped', reason: blocked }, details: [] };
    const noted = notes.length ? { notes } : {};

    const details: ExchangeDetail[] = [];
    const tried: Array<{ label: string; status: number }> = [];
    let provokedBy: string | undefined;
    let waited: ExchangeSummary['waited'];
    const expect: Expectations = recipe.reject ? { reject: recipe.reject } : {};
    for (let i = 0, retries = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      let result;
      try {
        result = await this.exchange(op, candidate, credentials[i]!, candidate.label, expect, new Map(), cell.status, recipeToFix(`"${cell.key}"`, recipe.origin, this.ctx.run.recipes.files));
      } catch (error) {
        if (!(error instanceof UnmetPrecondition)) throw error;
        const reason = candidates.length > 1 ? `${candidate.label}: ${error.message}` : error.message;
        return { verdict: { ...base, outcome: 'skipped', reason, exchanges: details, ...noted }, details };
      }
      const { exchange, checks, detail, built } = result;
      if (waited) [detail.waited, waited] = [waited, undefined];
      details.push(detail);
      if (checks.failure) return { verdict: { ...base, outcome: 'failed', failures: [checks.failure], exchanges: details, ...noted }, details };
      const status = exchange.response!.status;
      if (provokes(op, status, cell.status)) {
        provokedBy ??= recipe.candidates?.length ? candidate.label : '';
        if (recipe.send !== 'all') break;
        continue;
      }
      tried.push({ label: candidate.label, status });
      const retry = recipe.retry;
      if (retry && retries < (retry.limit ?? 1) && built.generators.includes(retry.of) && isDocumentedRejection(op, status)) {
        // RFC 6238 §5.2: the code of this time step may be spent already; the next step's code is new.
        const def = this.ctx.run.recipes.generators[retry.of]!;
        const ms = untilNextPeriod(def, this.ctx.gate.clock.now()) + PERIOD_MARGIN_MS;
        await this.ctx.gate.clock.sleep(ms);
        waited = { ms, why: waitedForPeriod(ms, retry.of) };
        retries++;
        i--;
      }
    }
    if (provokedBy !== undefined) return { verdict: { ...base, outcome: 'passed', ...(provokedBy ? { provokedBy } : {}), exchanges: details, ...noted }, details };
    return { verdict: { ...base, outcome: 'not_provoked', reason: unprovokedReason(cell.key, tried, notes), exchanges: details, ...noted }, details };
  }

  private flowOnce(cell: FlowCell): Promise<CellRecord> {
    let record = this.flows.get(cell.flow.id);
    if (!record) {
      record = this.runFlow(cell);
      this.flows.set(cell.flow.id, record);
    }
    return record;
  }

  /** A response a flow provokes (e.g. the DELETE of what it created): judged by that flow's exchanges of the operation. */
  private async viaFlow(cell: ResponseCell, recipe: Recipe): Promise<CellRecord> {
    const base = this.base(cell);
    const flowCell = this.ctx.run.cells.find((c): c is FlowCell => c.kind === 'flow' && c.flow.id === recipe.flow);
    if (!flowCell) return { verdict: { ...base, outcome: 'skipped', reason: `flow ${recipe.flow} is not in the recipes` }, details: [] };
    const flow = await this.flowOnce(flowCell);
    const op = this.op(cell.operationId);
    const mine = flow.details.filter((d) => d.operationId === cell.operationId);
    const failed = mine.find((d) => d.failure);
    if (failed) return { verdict: { ...base, outcome: 'failed', failures: [failed.failure!], exchanges: mine }, details: mine };
    const provoking = mine.find((d) => d.status !== null && provokes(op, d.status, cell.status));
    if (provoking) return { verdict: { ...base, outcome: 'passed', provokedBy: `flow ${flowCell.flow.id}, step ${provoking.label}`, exchanges: [provoking] }, details: [provoking] };
    if (mine.length === 0 && flow.verdict.outcome !== 'passed') {
      const why = flow.verdict.outcome === 'failed' ? `it failed before (${flow.verdict.failures[0]?.step ?? 'a step'})` : (flow.verdict.reason ?? flow.verdict.outcome);
      return { verdict: { ...base, outcome: 'skipped', reason: `flow ${flowCell.flow.id} did not reach ${cell.operationId}: ${why}` }, details: [] };
    }
    return { verdict: { ...base, outcome: 'not_provoked', reason: unprovokedReason(cell.key, mine.map((d) => ({ label: `flow ${flowCell.flow.id}, step ${d.label}`, status: d.status ?? 0 }))), exchanges: mine }, details: mine };
  }

  private async runFlow(cell: FlowCell): Promise<CellRecord> {
    const base = this.base(cell);
    const { flow } = cell;
    if (flow.skip) return { verdict: { ...base, outcome: 'skipped', reason: flow.skip }, details: [] };
    const credentials = flow.steps.map((s) => this.credentialOf(s.as, flow.as));
    const writes = flow.writes ?? flow.steps.some((s) => !isSafeMethod(this.op(s.call).method));
    const blocked = this.precondition(this.needs(flow.steps, credentials), writes);
    if (blocked) return { verdict: { ...base, outcome: 'skipped', reason: blocked }, details: [] };
    const saved = new Map<string, SavedValue>();
    const details: ExchangeDetail[] = [];
    const notes: string[] = [];
    try {
      for (const [i, step] of flow.steps.entries()) {
        const condition = this.condition(step, saved);
        if (condition) {
          notes.push(`step ${step.id} not run: ${condition}`);
          continue;
        }
        const failure = await this.runStep(step, credentials[i]!, saved, details, recipeToFix(`flow ${flow.id}, step ${step.id}`, flow.origin, this.ctx.run.recipes.files));
        if (failure) return { verdict: { ...base, outcome: 'failed', failures: [failure], exchanges: details, ...(notes.length ? { notes } : {}) }, details };
      }
    } catch (error) {
      if (!(error instanceof FlowStopped || error instanceof UnmetPrecondition)) throw error;
      return { verdict: { ...base, outcome: 'skipped', reason: this.ctx.redactor.redact(error.message), exchanges: details, ...(notes.length ? { notes } : {}) }, details };
    }
    return { verdict: { ...base, outcome: 'passed', exchanges: details, ...(notes.length ? { notes } : {}) }, details };
  }

  /** Why a step with an `if` does not run, or null when it runs. */
  private condition(step: StepDef, saved: Map<string, SavedValue>): string | null {
    if (!step.if) return null;
    const name = step.if.empty ?? step.if.notEmpty!;
    const value = saved.get(name)?.value;
    const empty = value === undefined || value === null || (Array.isArray(value) && value.length === 0) || value === '';
    if (step.if.empty !== undefined) return empty ? null : `"${name}" is not empty`;
    return empty ? `"${name}" is empty` : null;
  }

  /** One flow step; a failure ends the flow, an unmet need stops it as skipped. */
  private async runStep(step: StepDef, as: string, saved: Map<string, SavedValue>, details: ExchangeDetail[], fixIn: string): Promise<Failure | null> {
    const op = this.op(step.call);
    const expect: Expectations = {};
    if (step.reject) expect.reject = step.reject;
    if (step.fresh) expect.fresh = { pointer: step.fresh.at, notIn: asList(saved.get(step.fresh.notIn)?.value), because: step.fresh.because };
    if (step.same) {
      const earlier = saved.get(step.same.as);
      if (earlier?.value === undefined) throw new FlowStopped(`step ${step.id}: nothing to compare with: ${absentSaved(step.same.as, earlier)}`);
      expect.same = { pointer: step.same.at, value: earlier.value, because: step.same.because };
    }
    const wanted = step.expect === undefined ? null : (Array.isArray(step.expect) ? step.expect : [step.expect]).map(String);
    if (step.require) expect.require = { statuses: wanted ?? op.responses.map((r) => r.status).filter((k) => k.startsWith('2')), because: step.require };
    const underTest = step.reject ? documentedClientErrors(op).join(' or ') : (wanted ?? ['2xx']).join(' or ');
    let result;
    try {
      result = await this.exchange(op, step, as, step.id, expect, saved, underTest, fixIn);
    } catch (error) {
      if (error instanceof UnmetPrecondition) throw new FlowStopped(`step ${step.id}: ${error.message}`);
      throw error;
    }
    details.push(result.detail);
    if (result.checks.failure) return result.checks.failure;
    const status = result.exchange.response!.status;
    if (step.reject) {
      // A documented 5xx or 3xx is neither acceptance nor rejection: the flow cannot judge.
      if (!isDocumentedRejection(op, status)) throw new FlowStopped(stepUnmet(step.id, op.operationId, status, 'a client error'));
    } else {
      const met = wanted ? wanted.some((k) => provokes(op, status, k)) : status >= 200 && status < 300 && documentedResponse(op, status) !== null;
      if (!met) throw new FlowStopped(stepUnmet(step.id, op.operationId, status, underTest));
    }
    const json = parseJsonBody(result.exchange.response!.body);
    for (const [name, pointer] of Object.entries(step.save ?? {})) {
      // An optional member may be absent (OpenAPI 3.0 §4.7.24: only `required` members must appear); save the absence, judge only where it is read.
      saved.set(name, { value: valueAt(json, pointer), step: step.id, operationId: op.operationId, pointer });
    }
    return null;
  }
}

/** The same check failing on the same part of the same operation's same status is one defect. */
function defectKey(f: Failure): string {
  return JSON.stringify([f.check, f.operationId, f.received, f.location]);
}

function absentSaved(name: string, saved: SavedValue | undefined): string {
  return saved ? `the ${saved.operationId} response in step ${saved.step} had nothing at ${saved.pointer} to save as "${name}" (the schema does not require it)` : `"${name}" was not saved`;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

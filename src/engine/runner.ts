/**
 * Runs the cells of one target: for a documented response, its recipe's
 * candidates until the response is provoked; for a flow, its steps in order;
 * for an operation's generated phase, the requests the contract alone implies.
 * Every exchange goes through every check; the verdict follows the contract,
 * not any one server: a documented, conforming answer that is not the one aimed
 * at is "not provoked", never a violation.
 */
import { randomBytes } from 'node:crypto';
import type { APIRequestContext } from '@playwright/test';
import type * as FastCheck from 'fast-check';
import { runChecks, type CheckRun } from '../checks';
import { parseJsonBody, valueAt } from '../checks/http';
import type { Expectations, Exchange, Failure, ValueOrigin } from '../checks/types';
import { escapeToken, pointerTokens } from '../contract/json-pointer';
import { findOperation, isSafeMethod, isSecured, type OperationSpec } from '../contract/model';
import { documentedClientErrors, documentedResponse, isDocumentedRejection, provokes } from '../contract/responses';
import type { CompiledValidators } from '../contract/validators';
import { coverageCases, takesInput, undocumentedMethods } from '../generate/coverage';
import { requestArbitrary } from '../generate/fuzz';
import { cellSeed, type GeneratedCase, type GeneratedInputs } from '../generate/types';
import { curlCommand, requestText, responseText } from '../report/render';
import type { Redactor } from '../report/redact';
import { serverText } from '../report/server-text';
import type { CellVerdict, ExchangeDetail, ExchangeSummary, GeneratedRecord, ReplayRef } from '../report/verdict';
import {
  budgetSpent,
  defectCountedIn,
  didNotReach,
  generatedInputLines,
  hungTarget,
  judgedInFlow,
  knownDefectsMet,
  leftOutCases,
  needsIdentities,
  notCovered,
  nothingToGenerate,
  notSentCases,
  recipeToFix,
  requestBreaksContract,
  sentWithoutCredential,
  SINGLE_INPUT_LABEL,
  stepUnmet,
  unauthenticatedWriteNotAllowed,
  unprovokedReason,
  waitedForPeriod,
  WRITES_NOT_ALLOWED,
} from '../report/wording';
import type { Cell, FlowCell, GeneratedCell, ResponseCell } from '../scenarios/plan';
import { buildRequest, UnmetPrecondition, type BuildOptions, type BuiltRequest, type SavedValue } from '../scenarios/request';
import type { RunPlan, RunTarget } from '../scenarios/run-plan';
import type { SecretPolicy } from '../scenarios/secrets';
import { INVALID_CREDENTIAL, NO_CREDENTIAL, isExpression, type Inputs, type ListAssertion, type Recipe, type StepDef, type ValueExpr } from '../scenarios/types';
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

/** Requests a fuzz cell may spend shrinking one failing input: a smaller input is worth a few, not thousands. */
export const SHRINK_REQUESTS = 48;

/** A flow cannot go on for a reason that is not the server's fault: it ends skipped, saying why. */
class FlowStopped extends Error {}

/** One exchange, judged. */
interface Judged {
  built: BuiltRequest;
  exchange: Exchange;
  checks: CheckRun;
  detail: ExchangeDetail;
  /** A legal refusal by the server or what stands in front of it: counted, not judged as a response of the operation. */
  refused: number | null;
}

/** A generated request's outcome. */
interface GeneratedResult {
  judged: Judged | null;
  /** Why it was not sent (a dot segment, a spent budget). */
  unsent?: string;
}

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

  /** Defects already counted by a cell of this target, to the cell's key: a later cell meeting one again does not count it twice. */
  private readonly counted = new Map<string, string>();

  /**
   * The first write of input the contract forbids that the server accepted: what it stored may show up, against the
   * schema, in what later requests read. Those findings are that defect's consequences, not defects of their own.
   */
  private storedInvalid: { cell: string; check: string } | null = null;

  /** The cell a generated request's failure is already counted in, or is a consequence of. */
  private knownIn(failure: Failure): string | undefined {
    const counted = this.counted.get(defectKey(failure));
    if (counted) return counted;
    if (failure.check === 'response_schema_conformance' && this.storedInvalid) return `${this.storedInvalid.cell} (what it accepted was stored)`;
    return undefined;
  }

  async runCell(cell: Cell): Promise<CellRecord> {
    const started = performance.now();
    const record = cell.kind === 'response' ? await this.runResponse(cell) : cell.kind === 'flow' ? this.foldCounted(await this.flowOnce(cell)) : await this.runGenerated(cell);
    for (const f of record.verdict.failures) {
      if (!this.counted.has(defectKey(f))) this.counted.set(defectKey(f), cell.key);
      if (storesInvalid(f, this.op(f.operationId))) this.storedInvalid ??= { cell: cell.key, check: f.check };
    }
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

  /** One defect, one failure: a flow that failed on a defect another cell already counts could not judge past it. */
  private foldCounted(record: CellRecord): CellRecord {
    const failure = record.verdict.outcome === 'failed' ? record.verdict.failures[0] : undefined;
    const countedIn = failure && this.counted.get(defectKey(failure));
    if (!failure || !countedIn) return record;
    const { failures: _counted, ...verdict } = record.verdict;
    return { ...record, verdict: { ...verdict, failures: [], outcome: 'skipped', reason: defectCountedIn(failure.step ?? '?', failure.check, countedIn) } };
  }

  private base(cell: Cell): Omit<CellVerdict, 'outcome'> {
    const recipe = cell.kind === 'response' ? cell.recipe : cell.kind === 'flow' ? cell.flow : null;
    const origin = recipe ? ('file' in recipe.origin ? recipe.origin.file : `derived from the contract: ${recipe.origin.derived}`) : undefined;
    return {
      target: this.ctx.target.name,
      key: cell.key,
      kind: cell.kind,
      title: cell.title,
      ...(cell.kind !== 'flow' ? { operationId: cell.operationId } : {}),
      ...(cell.kind === 'response' ? { status: cell.status } : {}),
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
        if (Array.isArray(e.$template)) walk(e.$template);
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

  /** The time budget of an operation's exchanges: the recipes' own for it, else MAX_RESPONSE_TIME_MS. */
  private timeBudget(op: OperationSpec): Expectations['maxResponseTime'] {
    const own = this.ctx.run.recipes.operations[op.operationId]?.maxResponseTimeMs;
    if (own !== undefined) return { ms: own, from: `maxResponseTimeMs of ${op.operationId} in the recipes` };
    const all = this.ctx.run.generation.maxResponseTimeMs;
    return all ? { ms: all, from: 'MAX_RESPONSE_TIME_MS' } : undefined;
  }

  /** The request a recipe, a step or a generated case describes; a recipe's request that breaks the contract is not sent. */
  private prepare(op: OperationSpec, inputs: Inputs, as: string, saved: Map<string, SavedValue>, fixIn: string, options: BuildOptions = {}): BuiltRequest {
    const { ctx } = this;
    // Cells after a hang or past the budget are not judged at all: not sent is not a failure of the server.
    if (ctx.gate.hung) throw new UnmetPrecondition(hungTarget(HUNG_AFTER_TIMEOUTS));
    if (ctx.gate.exhausted) throw new UnmetPrecondition(budgetSpent(ctx.policy.maxRequests));
    const built = buildRequest(
      op,
      ctx.target.baseURL,
      inputs,
      as,
      {
        identities: ctx.run.recipes.identities,
        values: ctx.identities,
        generators: ctx.run.recipes.generators,
        saved,
        secretParameters: (name) => ctx.secrets.isSecretParameter(name),
        invalidCredential: this.invalidCredential,
        validators: ctx.validators,
        now: () => ctx.gate.clock.now(),
        schemas: ctx.run.contract.requestSchemas,
      },
      options,
    );
    if (built.problems.length && !options.literal) throw new UnmetPrecondition(requestBreaksContract(built.problems, fixIn));
    return built;
  }

  /** Sends a built request and runs every check; `refusal` may set an answer aside as a legal refusal. */
  private async judge(op: OperationSpec, built: BuiltRequest, label: string, expect: Expectations, underTest: string, generated?: { refusal: (ex: Exchange) => boolean }): Promise<Judged> {
    const { ctx } = this;
    ctx.redactor.add(...built.secrets);
    const exchange = await send(ctx.request, ctx.gate, ctx.policy, { method: built.method, url: built.url, headers: built.headers, ...(built.body !== undefined ? { body: built.body } : {}) });
    ctx.redactor.add(...ctx.secrets.collectExchange(exchange));
    const refused = exchange.response && generated?.refusal(exchange) ? exchange.response.status : null;
    // A refusal is not the operation's response to judge; a refused undocumented method still owes its Allow (RFC 9110 §15.5.6).
    const checks: CheckRun =
      refused !== null && !expect.undocumentedMethod
        ? { failure: null, results: [] }
        : runChecks({ operation: op, validators: ctx.validators, credential: built.credential, expect, isSecret: (p) => ctx.secrets.isSecretPointer(p), isSecretHeader: (h) => ctx.secrets.isSecretHeader(h) }, exchange);
    const failure: Failure | null = checks.failure ? ctx.redactor.redactFailure({ ...checks.failure, underTest, step: label }) : null;
    const says = serverText(exchange.response, (p) => ctx.secrets.isSecretPointer(p), ctx.redactor);
    // A generated request that holds is one of many: its step is named, and only a failing one carries its texts.
    const texts = !generated || failure !== null;
    const summary: ExchangeSummary = {
      label,
      operationId: op.operationId,
      method: built.method,
      url: ctx.redactor.redact(ctx.secrets.maskUrl(built.maskedUrl)),
      status: exchange.response?.status ?? null,
      durationMs: exchange.durationMs,
      checks: checks.results,
      failure,
      curl: texts ? curlCommand(built, ctx.secrets, ctx.redactor) : '',
      ...(says ? { says } : {}),
      ...(refused !== null ? { refused: true } : {}),
    };
    const shown = { ...exchange, request: { ...exchange.request, url: built.maskedUrl } };
    return {
      built,
      exchange,
      refused,
      checks: { ...checks, failure },
      detail: { ...summary, requestText: texts ? requestText(shown, ctx.secrets, ctx.redactor) : '', responseText: texts ? responseText(exchange, ctx.secrets, ctx.redactor) : '' },
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
    // Any one candidate may provoke the response, and `send: all` judges each: those whose identities are missing are left out, and said so.
    const missing = all.map((c, i) => this.needs([c], [allCredentials[i]!]).filter((n) => this.ctx.identities[n] === undefined));
    const every = all.map((_, i) => i);
    const runnable = every.filter((i) => missing[i]!.length === 0);
    const kept = runnable.length === 0 ? every : runnable;
    const candidates = kept.map((i) => all[i]!);
    const credentials = kept.map((i) => allCredentials[i]!);
    const notes = all.flatMap((c, i) => (kept.includes(i) ? [] : [`${c.label} not tried: ${this.needsText(missing[i]!)}`]));
    const writes = recipe.writes ?? !isSafeMethod(op.method);
    const unauthenticated = credentials.every((c) => c === NO_CREDENTIAL || c === INVALID_CREDENTIAL);
    const blocked = this.precondition(this.needs(candidates, credentials), writes, unauthenticated ? unauthenticatedWriteNotAllowed(op.method) : WRITES_NOT_ALLOWED);
    if (blocked) return { verdict: { ...base, outcome: 'skipped', reason: blocked }, details: [] };
    const noted = notes.length ? { notes } : {};

    const details: ExchangeDetail[] = [];
    const tried: Array<{ label: string; status: number; says?: string }> = [];
    let provokedBy: string | undefined;
    let waited: ExchangeSummary['waited'];
    const expect: Expectations = { aimedAt: [cell.status], maxResponseTime: this.timeBudget(op), ...(recipe.reject ? { reject: recipe.reject } : {}) };
    if (recipe.refuse) expect.refuse = { because: recipe.refuse, caller: recipe.as ?? this.ctx.run.recipes.defaultAs ?? NO_CREDENTIAL, owner: recipe.owner ?? this.ctx.run.recipes.defaultAs ?? NO_CREDENTIAL };
    for (let i = 0, retries = 0; i < candidates.length; i++) {
      const candidate = candidates[i]!;
      let result: Judged;
      try {
        const built = this.prepare(op, candidate, credentials[i]!, new Map(), recipeToFix(`"${cell.key}"`, recipe.origin, this.ctx.run.recipes.files));
        result = await this.judge(op, built, candidate.label, expect, cell.status);
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
      tried.push({ label: candidate.label, status, ...(detail.says ? { says: detail.says } : {}) });
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

  /**
   * A response a flow provokes (e.g. the DELETE of what it created), judged by that flow's exchanges of the
   * operation. A failing step is counted on the flow, whatever operation it calls: here it is named, not counted again.
   */
  private async viaFlow(cell: ResponseCell, recipe: Recipe): Promise<CellRecord> {
    const base = this.base(cell);
    const flowCell = this.ctx.run.cells.find((c): c is FlowCell => c.kind === 'flow' && c.flow.id === recipe.flow);
    if (!flowCell) return { verdict: { ...base, outcome: 'skipped', reason: `flow ${recipe.flow} is not in the recipes` }, details: [] };
    const flow = await this.flowOnce(flowCell);
    const op = this.op(cell.operationId);
    // The steps that call this operation and aim at this status (or, when none says, every step calling it).
    const calling = flowCell.flow.steps.filter((s) => s.call === cell.operationId);
    const aiming = calling.filter((s) => this.stepAims(s, op).some((key) => key === cell.status || provokesKey(op, key, cell.status)));
    const wanted = new Set((aiming.length ? aiming : calling).map((s) => s.id));
    const mine = flow.details.filter((d) => d.operationId === cell.operationId && wanted.has(d.label));
    const provoking = mine.find((d) => d.status !== null && !d.failure && provokes(op, d.status, cell.status));
    if (provoking) return { verdict: { ...base, outcome: 'passed', provokedBy: `flow ${flowCell.flow.id}, step ${provoking.label}`, exchanges: [provoking] }, details: [provoking] };
    const failed = mine.find((d) => d.failure);
    if (failed) return { verdict: { ...base, outcome: 'skipped', reason: judgedInFlow(flowCell.flow.id, failed.label, failed.failure!.check), exchanges: mine }, details: mine };
    const reached = new Set(flow.details.map((d) => d.label));
    const unreached = [...wanted].filter((id) => !reached.has(id));
    if (unreached.length && flow.verdict.outcome !== 'passed') {
      const why = flow.verdict.outcome === 'failed' ? `it failed before (step ${flow.verdict.failures[0]?.step ?? '?'})` : (flow.verdict.reason ?? flow.verdict.outcome);
      return { verdict: { ...base, outcome: 'skipped', reason: didNotReach(flowCell.flow.id, unreached, why), exchanges: mine }, details: mine };
    }
    if (mine.length === 0) return { verdict: { ...base, outcome: 'skipped', reason: didNotReach(flowCell.flow.id, unreached, flow.verdict.reason ?? `its steps calling ${cell.operationId} did not run`) }, details: [] };
    return { verdict: { ...base, outcome: 'not_provoked', reason: unprovokedReason(cell.key, mine.map((d) => ({ label: `flow ${flowCell.flow.id}, step ${d.label}`, status: d.status ?? 0, ...(d.says ? { says: d.says } : {}) }))), exchanges: mine }, details: mine };
  }

  /** The documented responses a step aims at: its `expect`, the client errors of `reject`/`refuse`, else the documented 2xx. */
  private stepAims(step: StepDef, op: OperationSpec): string[] {
    if (step.expect !== undefined) return (Array.isArray(step.expect) ? step.expect : [step.expect]).map(String);
    if (step.reject || step.refuse) return documentedClientErrors(op);
    return op.responses.map((r) => r.status).filter((k) => k.startsWith('2'));
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
        const failure = await this.runStep(step, credentials[i]!, flow.as, saved, details, recipeToFix(`flow ${flow.id}, step ${step.id}`, flow.origin, this.ctx.run.recipes.files));
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

  /** The identity a credential names, or null for none and the unknown credential. */
  private identityOf(as: string): string | null {
    return as === NO_CREDENTIAL || as === INVALID_CREDENTIAL ? null : as;
  }

  /** The owner of what a step asks for: its `owner`, else the identity that saved the values its request uses, else the flow's. */
  private ownerOf(step: StepDef, saved: Map<string, SavedValue>, flowAs: string | undefined): string {
    if (step.owner) return step.owner;
    const names: string[] = [];
    const walk = (node: unknown): void => {
      if (isExpression(node) && typeof (node as { $saved?: unknown }).$saved === 'string') names.push((node as { $saved: string }).$saved);
      else if (node && typeof node === 'object') for (const v of Object.values(node)) walk(v);
    };
    walk([step.path, step.query, step.headers, step.cookies, step.body]);
    const by = names.map((n) => saved.get(n)?.identity).find((id): id is string => typeof id === 'string');
    return by ?? this.credentialOf(flowAs);
  }

  /** The value an assertion compares with: a saved one, what this step sent, or a literal. */
  private operand(value: ValueExpr | undefined, savedName: string | undefined, saved: Map<string, SavedValue>, built: BuiltRequest, step: string): { value: unknown; origin: ValueOrigin } {
    const expr = isExpression(value) ? (value as { $saved?: unknown; $sent?: unknown; at?: unknown; item?: unknown }) : null;
    const name = savedName ?? (typeof expr?.$saved === 'string' ? expr.$saved : undefined);
    if (name !== undefined) {
      const earlier = saved.get(name);
      if (earlier?.value === undefined) throw new FlowStopped(`step ${step}: nothing to compare with: ${absentSaved(name, earlier)}`);
      let picked = typeof expr?.at === 'string' ? valueAt(earlier.value, expr.at) : earlier.value;
      if (typeof expr?.item === 'number') picked = Array.isArray(picked) ? picked[expr.item] : undefined;
      return { value: picked, origin: { kind: 'saved', name, step: earlier.step, identity: earlier.identity } };
    }
    if (typeof expr?.$sent === 'string') return { value: sentValue(built, expr.$sent), origin: { kind: 'sent', pointer: expr.$sent } };
    return { value, origin: { kind: 'literal' } };
  }

  /** One flow step; a failure ends the flow, an unmet need stops it as skipped. */
  private async runStep(step: StepDef, as: string, flowAs: string | undefined, saved: Map<string, SavedValue>, details: ExchangeDetail[], fixIn: string): Promise<Failure | null> {
    const op = this.op(step.call);
    const wanted = step.expect === undefined ? null : (Array.isArray(step.expect) ? step.expect : [step.expect]).map(String);
    const aimedAt = this.stepAims(step, op);
    const expect: Expectations = { aimedAt, maxResponseTime: this.timeBudget(op) };
    if (step.reject) expect.reject = step.reject;
    if (step.fresh) expect.fresh = { pointer: step.fresh.at, notIn: asList(saved.get(step.fresh.notIn)?.value), because: step.fresh.because };
    if (step.require) expect.require = { statuses: wanted ?? aimedAt, because: step.require };
    if (step.refuse) expect.refuse = { because: step.refuse, caller: as, owner: this.ownerOf(step, saved, flowAs) };
    const underTest = step.reject || step.refuse ? documentedClientErrors(op).join(' or ') : (wanted ?? ['2xx']).join(' or ');
    let built: BuiltRequest;
    try {
      built = this.prepare(op, step, as, saved, fixIn);
    } catch (error) {
      if (error instanceof UnmetPrecondition) throw new FlowStopped(`step ${step.id}: ${error.message}`);
      throw error;
    }
    if (step.same) {
      const { value, origin } = this.operand(step.same.value, step.same.as, saved, built, step.id);
      expect.same = { pointer: step.same.at, value, because: step.same.because, origin };
    }
    const caller = this.identityOf(as);
    const list = (a: ListAssertion | undefined) => {
      if (!a) return undefined;
      const { value, origin } = this.operand(a.value, undefined, saved, built, step.id);
      return { pointer: a.at, values: asList(value), origin, because: a.because, caller };
    };
    const contains = list(step.contains);
    const excludes = list(step.excludes);
    if (contains) expect.contains = contains;
    if (excludes) expect.excludes = excludes;
    if (step.empty) expect.empty = { pointer: step.empty.at, because: step.empty.because };
    const result = await this.judge(op, built, step.id, expect, underTest);
    details.push(result.detail);
    if (result.checks.failure) return result.checks.failure;
    const status = result.exchange.response!.status;
    if (step.reject || step.refuse) {
      // A documented 5xx or 3xx is neither acceptance nor rejection: the flow cannot judge.
      if (!isDocumentedRejection(op, status)) throw new FlowStopped(stepUnmet(step.id, op.operationId, status, 'a client error', result.detail.says));
    } else {
      const met = wanted ? wanted.some((k) => provokes(op, status, k)) : status >= 200 && status < 300 && documentedResponse(op, status) !== null;
      if (!met) throw new FlowStopped(stepUnmet(step.id, op.operationId, status, underTest, result.detail.says));
    }
    const json = parseJsonBody(result.exchange.response!.body);
    for (const [name, pointer] of Object.entries(step.save ?? {})) {
      // An optional member may be absent (OpenAPI 3.0 §4.7.24: only `required` members must appear); save the absence, judge only where it is read.
      saved.set(name, { value: valueAt(json, pointer), step: step.id, operationId: op.operationId, pointer, identity: caller });
    }
    return null;
  }

  private async runGenerated(cell: GeneratedCell): Promise<CellRecord> {
    const base = this.base(cell);
    const op = this.op(cell.operationId);
    const skip = (reason: string): CellRecord => ({ verdict: { ...base, outcome: 'skipped', reason }, details: [] });
    const own = this.ctx.run.recipes.operations[op.operationId]?.generate?.skip;
    if (own) return skip(own);
    // The defaults' credential, so that authentication does not hide what the inputs do.
    const as = this.credentialOf();
    const blocked = this.precondition(this.needs([], [as]), false);
    if (blocked) return skip(blocked);
    const record = cell.phase === 'coverage' ? await this.runCoverage(cell, op, as, base) : await this.runFuzz(cell, op, as, base);
    if (as === NO_CREDENTIAL && isSecured(op) && record.verdict.outcome !== 'skipped') record.verdict.notes = [...(record.verdict.notes ?? []), sentWithoutCredential()];
    return record;
  }

  /** Expectations of a generated request: which rule it tests follows from what it is, as the contract's validators tell. */
  private generatedExpect(op: OperationSpec, c: Pick<GeneratedCase, 'method' | 'omit'>, built: BuiltRequest): { expect: Expectations; underTest: string } {
    const expect: Expectations = { aimedAt: [], maxResponseTime: this.timeBudget(op) };
    if (c.method) {
      expect.undocumentedMethod = { method: c.method, documented: undocumentedMethods(op, this.ctx.run.contract).documented };
      return { expect, underTest: 'a refusal' };
    }
    const refusals = documentedClientErrors(op).join(' or ') || 'a client error';
    if (c.omit) {
      expect.missing = c.omit;
      return { expect, underTest: refusals };
    }
    if (built.problems.length) {
      expect.reject = `the request breaks the contract (${built.problems.join('; ')})`;
      return { expect, underTest: refusals };
    }
    return { expect, underTest: 'a documented response' };
  }

  /**
   * Legal refusals the contract need not list: what stands in front of a server may answer a long URL (414), a large
   * body (413) or large headers (431) itself, often in HTML (RFC 9110 §15.5.14-15, RFC 6585 §5), and a rate limit 429
   * (RFC 6585 §4) may outlast its retries; a method nobody documents gets 404, 405 or 501 (RFC 9110 §15.5.5-6, §15.6.2);
   * and a server or proxy that decodes %2F routes a value holding `/` elsewhere (404). Only a status the contract
   * documents exactly is judged as the operation's response.
   */
  private refusalOf(op: OperationSpec, c: Pick<GeneratedCase, 'method' | 'slashInPath'>): (ex: Exchange) => boolean {
    return (ex) => {
      const status = ex.response!.status;
      if (c.method) return status === 404 || status === 405 || status === 501;
      const explicit = op.responses.some((r) => r.status === String(status));
      if (explicit) return false;
      return [413, 414, 429, 431].includes(status) || (status === 404 && Boolean(c.slashInPath));
    };
  }

  /** Builds, sends and judges one generated request. */
  private async generated(op: OperationSpec, c: Pick<GeneratedCase, 'label' | 'method' | 'omit' | 'slashInPath'> & { inputs: GeneratedInputs }, as: string, input: (built: BuiltRequest) => Failure['input']): Promise<GeneratedResult> {
    let built: BuiltRequest;
    try {
      built = this.prepare(op, c.inputs as Inputs, as, new Map(), '', { literal: true, ...(c.method ? { method: c.method } : {}) });
    } catch (error) {
      if (error instanceof UnmetPrecondition) return { judged: null, unsent: error.message };
      throw error;
    }
    const { expect, underTest } = this.generatedExpect(op, c, built);
    const judged = await this.judge(op, built, c.label, expect, underTest, { refusal: this.refusalOf(op, c) });
    if (judged.checks.failure) {
      const failure = { ...judged.checks.failure, input: input(built) };
      judged.checks.failure = failure;
      judged.detail.failure = failure;
    }
    return { judged };
  }

  /** The input of a generated request as a person may read it: secret values masked, long ones cut. */
  private shownInput(built: BuiltRequest): string[] {
    const body = built.body === undefined ? undefined : parseJsonBody(Buffer.from(built.body));
    return generatedInputLines(built, body === undefined ? built.body : this.ctx.secrets.mask(body), this.ctx.redactor);
  }

  private writesAllowed(method: string): boolean {
    return isSafeMethod(method) || this.ctx.run.allowWrites;
  }

  private async runCoverage(cell: GeneratedCell, op: OperationSpec, as: string, base: Omit<CellVerdict, 'outcome'>): Promise<CellRecord> {
    const seed = this.ctx.run.generation.seed;
    const all = coverageCases(op, this.ctx.run.contract, { seed });
    // On a real server only safe methods are generated unless ALLOW_WRITES=1 (RFC 9110 §9.2.1).
    const cases = all.filter((c) => this.writesAllowed(c.method ?? op.method));
    const notes: string[] = [];
    if (cases.length < all.length) notes.push(leftOutCases(all.length - cases.length, [...new Set(all.filter((c) => !cases.includes(c)).map((c) => c.method ?? op.method))]));
    if (cases.length === 0) return { verdict: { ...base, outcome: 'skipped', reason: all.length ? WRITES_NOT_ALLOWED : nothingToGenerate(op.operationId, 'coverage'), ...(notes.length ? { notes } : {}) }, details: [] };
    const tally = new Tally(cell.phase, seed);
    const details: ExchangeDetail[] = [];
    const failures: Failure[] = [];
    for (const [i, c] of cases.entries()) {
      if (this.ctx.gate.hung || this.ctx.gate.exhausted) {
        notes.push(notSentCases(cases.length - i, this.ctx.gate.hung ? hungTarget(HUNG_AFTER_TIMEOUTS) : budgetSpent(this.ctx.policy.maxRequests)));
        break;
      }
      const result = await this.generated(op, c, as, (built) => ({ phase: 'coverage', seed, label: c.label, shown: this.shownInput(built) }));
      if (!result.judged) {
        tally.unsent.push(`${c.label}: ${result.unsent}`);
        continue;
      }
      const { failure } = result.judged.checks;
      details.push(result.judged.detail);
      tally.count(result.judged);
      if (!failure) continue;
      const key = defectKey(failure);
      const known = this.knownIn(failure);
      if (known) tally.known(known, failure.check);
      else if (failures.some((f) => defectKey(f) === key)) tally.again();
      else failures.push({ ...failure, replay: { phase: 'coverage', seed, operationId: op.operationId, case: c.index } satisfies ReplayRef });
    }
    return this.generatedVerdict(base, tally, failures, details, notes);
  }

  private async runFuzz(cell: GeneratedCell, op: OperationSpec, as: string, base: Omit<CellVerdict, 'outcome'>): Promise<CellRecord> {
    const runs = this.ctx.run.generation.fuzzRuns;
    if (!takesInput(op)) return { verdict: { ...base, outcome: 'skipped', reason: nothingToGenerate(op.operationId, 'fuzz') }, details: [] };
    if (!this.writesAllowed(op.method)) return { verdict: { ...base, outcome: 'skipped', reason: WRITES_NOT_ALLOWED }, details: [] };
    const fc = fastCheck();
    const seed = this.ctx.run.generation.seed;
    const own = cellSeed(seed, 'fuzz', op.operationId);
    const tally = new Tally(cell.phase, seed);
    const details: ExchangeDetail[] = [];
    const notes: string[] = [];
    let n = 0;
    let stopped: string | null = null;
    let shrinking = 0;
    let first: { judged: Judged; input: GeneratedInputs } | null = null;
    let last: { judged: Judged; input: GeneratedInputs } | null = null;
    const property = fc.asyncProperty(requestArbitrary(fc, op, this.ctx.run.contract), async (inputs) => {
      if (this.ctx.gate.hung || this.ctx.gate.exhausted) {
        stopped ??= this.ctx.gate.hung ? hungTarget(HUNG_AFTER_TIMEOUTS) : budgetSpent(this.ctx.policy.maxRequests);
        return true;
      }
      // Past its budget, shrinking stops sending: the smallest input found so far is the answer.
      if (last && ++shrinking > SHRINK_REQUESTS) return true;
      const label = last ? `shrinking, input ${++n}` : `input ${++n}`;
      const result = await this.generated(op, { label, inputs }, as, (built) => ({ phase: 'fuzz', seed, label, shown: this.shownInput(built) }));
      if (!result.judged) {
        tally.unsent.push(`${label}: ${result.unsent}`);
        return true;
      }
      details.push(result.judged.detail);
      tally.count(result.judged);
      const failure = result.judged.checks.failure;
      if (!failure) return true;
      const known = this.knownIn(failure);
      if (known) {
        // A defect already counted is no news: the search goes on for others.
        tally.known(known, failure.check);
        return true;
      }
      last = { judged: result.judged, input: inputs };
      first ??= last;
      return false;
    });
    const run = await fc.check(property, { seed: own, numRuns: runs });
    if (stopped) notes.push(notSentCases(Math.max(0, runs - n), stopped));
    const failures: Failure[] = [];
    const found = last as { judged: Judged; input: GeneratedInputs } | null;
    const origin = first as { judged: Judged; input: GeneratedInputs } | null;
    if (run.failed && found && origin) {
      const failure = found.judged.checks.failure!;
      failures.push({
        ...failure,
        input: { ...failure.input!, ...(found !== origin ? { shrunk: { steps: run.numShrinks, from: origin.judged.checks.failure!.input!.shown, requests: Math.min(shrinking, SHRINK_REQUESTS) } } : {}) },
        replay: { phase: 'fuzz', seed, operationId: op.operationId, path: run.counterexamplePath ?? '' } satisfies ReplayRef,
      });
    }
    return this.generatedVerdict(base, tally, failures, details, notes);
  }

  private generatedVerdict(base: Omit<CellVerdict, 'outcome'>, tally: Tally, failures: Failure[], details: ExchangeDetail[], notes: string[]): CellRecord {
    const generated = tally.record();
    const all = [...notes, ...tally.notes()];
    const noted = all.length ? { notes: all } : {};
    const kept = details;
    if (failures.length) return { verdict: { ...base, outcome: 'failed', failures, exchanges: kept, generated, ...noted }, details: kept };
    if (generated.sent === 0) return { verdict: { ...base, outcome: 'skipped', reason: all[0] ?? 'nothing was sent', exchanges: kept, generated, ...noted }, details: kept };
    return { verdict: { ...base, outcome: 'passed', exchanges: kept, generated, ...noted }, details: kept };
  }

  /** Sends one generated request again, from its phase, seed and position (npm run replay). */
  async replay(ref: ReplayRef): Promise<{ judged: Judged | null; unsent?: string; label: string }> {
    const op = this.op(ref.operationId);
    const as = this.credentialOf();
    const input = (label: string) => (built: BuiltRequest): Failure['input'] => ({ phase: ref.phase, seed: ref.seed, label, shown: this.shownInput(built) });
    if (ref.phase === 'coverage') {
      const c = coverageCases(op, this.ctx.run.contract, { seed: ref.seed }).find((x) => x.index === ref.case);
      if (!c) return { judged: null, unsent: `the coverage phase of ${op.operationId} has no case ${ref.case} with seed ${ref.seed} (has the contract changed?)`, label: `case ${ref.case}` };
      if (!this.writesAllowed(c.method ?? op.method)) return { judged: null, unsent: WRITES_NOT_ALLOWED, label: c.label };
      return { ...(await this.generated(op, c, as, input(c.label))), label: c.label };
    }
    if (!this.writesAllowed(op.method)) return { judged: null, unsent: WRITES_NOT_ALLOWED, label: 'the shrunk input' };
    const fc = fastCheck();
    const inputs = await counterexample(fc, requestArbitrary(fc, op, this.ctx.run.contract), cellSeed(ref.seed, 'fuzz', op.operationId), ref.path);
    if (!inputs) return { judged: null, unsent: `fast-check replayed no input from seed ${ref.seed} and path ${ref.path}`, label: 'fuzz input' };
    return { ...(await this.generated(op, { label: 'the shrunk input', inputs }, as, input('the shrunk input'))), label: 'the shrunk input' };
  }
}

/** What a generated cell sent, refused and met, for its record and its notes. */
class Tally {
  private sent = 0;
  private judged = 0;
  private readonly refused = new Map<number, number>();
  private readonly knownIn = new Map<string, { check: string; times: number }>();
  private repeats = 0;
  readonly unsent: string[] = [];

  constructor(
    private readonly phase: GeneratedRecord['phase'],
    private readonly seed: number,
  ) {}

  count(judged: Judged): void {
    this.sent++;
    if (judged.refused !== null) this.refused.set(judged.refused, (this.refused.get(judged.refused) ?? 0) + 1);
    else this.judged++;
  }

  known(cell: string, check: string): void {
    const entry = this.knownIn.get(cell) ?? { check, times: 0 };
    entry.times++;
    this.knownIn.set(cell, entry);
  }

  again(): void {
    this.repeats++;
  }

  record(): GeneratedRecord {
    return { phase: this.phase, seed: this.seed, sent: this.sent, judged: this.judged, refused: [...this.refused].sort((a, b) => a[0] - b[0]).map(([status, count]) => ({ status, count })), repeats: this.repeats };
  }

  notes(): string[] {
    return [...[...this.knownIn].map(([cell, k]) => knownDefectsMet(k.times, cell, k.check)), ...this.unsent.slice(0, 5), ...(this.unsent.length > 5 ? [`… and ${this.unsent.length - 5} more not sent`] : [])];
  }
}

/** The input fast-check gives first when replaying `path` from `seed`: the shrunk counterexample of the run that printed them. */
async function counterexample(fc: typeof FastCheck, arb: FastCheck.Arbitrary<GeneratedInputs>, seed: number, path: string): Promise<GeneratedInputs | null> {
  let first: GeneratedInputs | null = null;
  await fc.check(
    fc.asyncProperty(arb, async (inputs) => {
      first ??= inputs;
      return false;
    }),
    { seed, path, endOnFailure: true, numRuns: 1 },
  );
  return first;
}

/** A write of forbidden input the server accepted (RFC 9110 §9.2.1: an unsafe method changes state): what it stored is the contract's no more. */
function storesInvalid(f: Failure, op: OperationSpec): boolean {
  const accepted = f.received !== null && f.received >= 200 && f.received < 300;
  return accepted && (f.check === 'negative_data_rejection' || f.check === 'missing_required_parameter') && !isSafeMethod(op.method);
}

/** fast-check, loaded when a fuzz cell first needs it: a run without one does not pay for it. */
function fastCheck(): typeof FastCheck {
  return require('fast-check') as typeof FastCheck;
}

/** The same check failing on the same part of the same operation's same status is one defect. */
function defectKey(f: Failure): string {
  return JSON.stringify([f.check, f.operationId, f.received, f.location]);
}

/** Whether documented key `key` covers the status the cell is keyed by (`4XX` covers `404` only when `404` is not its own). */
function provokesKey(op: OperationSpec, key: string, status: string): boolean {
  return /^\d{3}$/.test(status) && provokes(op, Number(status), key);
}

function absentSaved(name: string, saved: SavedValue | undefined): string {
  return saved ? `the ${saved.operationId} response in step ${saved.step} had nothing at ${saved.pointer} to save as "${name}" (the schema does not require it)` : `"${name}" was not saved`;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** What a step sent at a pointer: `/body/title`, `/path/noteId`, `/query/limit`, `/headers/X-Name`, `/cookies/name`. */
export function sentValue(built: BuiltRequest, pointer: string): unknown {
  const [root, ...rest] = pointerTokens(pointer);
  if (root === 'body') return valueAt(built.body === undefined ? undefined : parseJsonBody(Buffer.from(built.body)), rest.map((t) => `/${escapeToken(t)}`).join(''));
  const where = ({ path: 'path', query: 'query', headers: 'header', cookies: 'cookie' } as Record<string, string>)[root ?? ''];
  const name = rest[0];
  // RFC 9110 §5.1: header names are case-insensitive.
  const part = built.parts.find((p) => p.in === where && (where === 'header' ? p.name.toLowerCase() === name?.toLowerCase() : p.name === name));
  return part?.text;
}

/** Allure rendering of tests and exchanges; everything passes through the Redactor first. */
import * as allure from 'allure-js-commons';
import type { Exchange, Failure } from '../checks/types';
import type { ContractPlan, OperationSpec } from '../contract/model';
import type { Redactor } from './redact';
import { failureLine, testFailureMessage } from './wording';

const MAX_ATTACHED_BODY = 64 * 1024;

/** Where the engine hands each exchange once its checks have run. */
export interface ExchangeObserver {
  exchange(title: string, exchange: Exchange, failures: Failure[]): Promise<void>;
}

function requestText(exchange: Exchange): string {
  const { request } = exchange;
  const headers = Object.entries(request.headers).map(([k, v]) => `${k}: ${v}`);
  return [`${request.method} ${request.url}`, ...headers, '', request.body ?? ''].join('\n');
}

function bodyText(body: Buffer): string {
  const text = body.subarray(0, MAX_ATTACHED_BODY).toString('utf8');
  const cut = body.length > MAX_ATTACHED_BODY ? `\n… (${body.length - MAX_ATTACHED_BODY} more bytes not attached)` : '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2) + cut;
  } catch {
    return text + cut;
  }
}

function responseText(exchange: Exchange): string {
  if (!exchange.response) return `no response: ${exchange.error?.kind}: ${exchange.error?.message}`;
  const { status, statusText, headers, body } = exchange.response;
  const note = exchange.note ? [`(${exchange.note})`] : [];
  return [...note, `HTTP ${status} ${statusText}`, ...headers.map((h) => `${h.name}: ${h.value}`), '', bodyText(body)].join('\n');
}

export class AllureObserver implements ExchangeObserver {
  constructor(private readonly redactor: Redactor) {}

  async exchange(title: string, exchange: Exchange, failures: Failure[]): Promise<void> {
    const r = (text: string) => this.redactor.redact(text);
    const status = exchange.response ? String(exchange.response.status) : exchange.error?.kind ?? 'no response';
    try {
      await allure.step(r(`${title} → ${status}`), async (step) => {
        await step.parameter('duration', `${exchange.durationMs.toFixed(0)} ms`);
        await allure.attachment('request', r(requestText(exchange)), 'text/plain');
        await allure.attachment('response', r(responseText(exchange)), 'text/plain');
        if (failures.length) {
          await allure.attachment('violations', failures.map(failureLine).join('\n'), 'text/plain');
          throw new Error(testFailureMessage(failures));
        }
      });
    } catch {
      // The step is marked failed; the test fails at its end with every violation.
    }
  }
}

/** Labels that group the report tag > operation > status and feed the categories. */
export async function describeResponseTest(plan: ContractPlan, op: OperationSpec, status: string, baseURL: string): Promise<void> {
  const tag = op.tags[0] ?? 'untagged';
  await allure.parentSuite(tag);
  await allure.suite(op.operationId);
  await allure.subSuite(status);
  await allure.epic(plan.title);
  await allure.feature(op.operationId);
  await allure.story(status);
  await allure.parameter('operation', `${op.method} ${op.path}`);
  await allure.parameter('status', status);
  await allure.parameter('target', baseURL);
  const documented = op.responses.find((r) => r.status === status);
  await allure.description(
    [
      `**${op.method} ${op.path}** (${op.operationId})${op.summary ? `: ${op.summary}` : ''}`,
      '',
      `Documented response **${status}**: ${documented?.description ?? ''}${documented?.content.length ? ` (${documented.content.map((c) => c.mediaType).join(', ')})` : ' (no content)'}.`,
    ].join('\n'),
  );
}

export async function describeFlowTest(plan: ContractPlan, title: string, operations: string[], baseURL: string): Promise<void> {
  await allure.parentSuite('Stateful flows');
  await allure.suite(title);
  await allure.epic(plan.title);
  await allure.parameter('operations', operations.join(', '));
  await allure.parameter('target', baseURL);
}

/** The `violation` label drives the report's categories (allurerc.mjs). */
export async function labelVerdict(failures: Failure[]): Promise<void> {
  for (const kind of new Set(failures.map((f) => f.kind))) await allure.label('violation', kind);
  for (const check of new Set(failures.map((f) => f.check))) await allure.label('check', check);
}

export async function describeRecipe(recipe: string | undefined, reason?: string): Promise<void> {
  if (recipe) await allure.parameter('scenario', recipe);
  if (reason) await allure.parameter('not run because', reason);
}

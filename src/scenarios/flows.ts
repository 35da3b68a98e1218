/**
 * Stateful flows: sequences whose verdict depends on what earlier calls
 * returned. Each step names the ExchangeIntent field its check reads.
 */
import { parseCodes } from '../checks/recovery-codes';
import type { ExchangeIntent } from '../checks/types';
import type { IdentityName } from '../target/identities';
import type { Call } from './types';

export interface FlowStepResult {
  status: number | null;
  /** Parsed JSON body, or undefined. */
  json: unknown;
  /** No check failed on this exchange. */
  ok: boolean;
}

export interface FlowDriver {
  call(operationId: string, call: Call, intent: Partial<ExchangeIntent> & { expectedStatus: number }): Promise<FlowStepResult>;
  /** Ends the flow as failed: the server did not give what the next step needs. */
  abort(reason: string): never;
}

export interface Flow {
  id: string;
  title: string;
  operations: string[];
  needs: IdentityName[];
  run(driver: FlowDriver): Promise<void>;
}

const USER: Call['credential'] = { identity: 'METAL_AUTH_TOKEN' };

function codesOf(result: FlowStepResult): string[] {
  return parseCodes(result.json) ?? [];
}

async function listCodes(d: FlowDriver, intent: Partial<ExchangeIntent> = {}): Promise<string[]> {
  const listed = await d.call('findRecoveryCodes', { label: 'list recovery codes', credential: USER }, { ...intent, expectedStatus: 200 });
  if (listed.status !== 200) d.abort(`listing recovery codes answered ${listed.status ?? 'nothing'}, not 200`);
  return codesOf(listed);
}

const verify = (code: string, label: string): Call => ({ label, credential: USER, path: { otp: { literal: code } } });

export const FLOWS: Flow[] = [
  {
    id: 'recovery-code-single-use',
    title: 'a recovery code works once',
    operations: ['findRecoveryCodes', 'findEnsureOtp'],
    needs: ['METAL_AUTH_TOKEN'],
    async run(d) {
      const [code] = await listCodes(d);
      if (!code) return d.abort('the user has no unused recovery code to spend');
      const first = await d.call('findEnsureOtp', verify(code, 'use a recovery code'), { expectedStatus: 204 });
      if (first.status !== 204) d.abort(`the first use of a listed recovery code answered ${first.status ?? 'nothing'}, not 204`);
      await d.call('findEnsureOtp', verify(code, 'use the same code again'), { expectedStatus: 400, reusedRecoveryCode: true });
    },
  },
  {
    id: 'regeneration-rotates-codes',
    title: 'regeneration replaces every recovery code',
    operations: ['findRecoveryCodes', 'regenerateCodes', 'findEnsureOtp'],
    needs: ['METAL_AUTH_TOKEN'],
    async run(d) {
      const before = await listCodes(d);
      const regenerated = await d.call('regenerateCodes', { label: 'regenerate', credential: USER }, { expectedStatus: 200, codesBeforeRegeneration: before });
      if (regenerated.status !== 200) d.abort(`regeneration answered ${regenerated.status ?? 'nothing'}, not 200`);
      const after = codesOf(regenerated);
      await listCodes(d, { codesFromRegeneration: after });
      const [old] = before.filter((c) => !after.includes(c));
      if (old) await d.call('findEnsureOtp', verify(old, 'use a code from before the regeneration'), { expectedStatus: 400, revokedRecoveryCode: true });
    },
  },
];

/** The flows whose every operation is in the contract selection. */
export function applicableFlows(operationIds: Iterable<string>): Flow[] {
  const available = new Set(operationIds);
  return FLOWS.filter((f) => f.operations.every((o) => available.has(o)));
}

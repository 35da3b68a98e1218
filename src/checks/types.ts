/**
 * The data every check reads and the one Failure shape every output renders.
 * Checks are pure: (ctx, exchange) => Failure | null.
 */
import type { CompiledValidators } from '../contract/validators';
import type { OperationSpec } from '../contract/model';

export interface RequestRecord {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ResponseRecord {
  status: number;
  statusText: string;
  /** As received: original case, duplicates kept, in order. */
  headers: Array<{ name: string; value: string }>;
  /** Body bytes after content decoding. */
  body: Buffer;
}

export type TransportErrorKind =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'protocol'
  | 'budget'
  | 'other';

export interface TransportError {
  kind: TransportErrorKind;
  message: string;
}

export interface Exchange {
  request: RequestRecord;
  response: ResponseRecord | null;
  error: TransportError | null;
  durationMs: number;
  /** How the response was obtained when not the ordinary way (e.g. a raw replay after a framing error). */
  note?: string;
}

/** What the scenario knew when it sent the request; stateful checks read their own field. */
export interface ExchangeIntent {
  /** Status the scenario set out to provoke; null when any documented status is fine. */
  expectedStatus: number | null;
  credentials: 'valid' | 'missing' | 'invalid';
  /** The path carried an OTP that is certainly wrong. */
  wrongOtp?: boolean;
  /** The path carried a recovery code the server already accepted once. */
  reusedRecoveryCode?: boolean;
  /** The path carried a recovery code issued before the last regeneration. */
  revokedRecoveryCode?: boolean;
  /** Codes the server listed before this regeneration. */
  codesBeforeRegeneration?: string[];
  /** Codes the last regeneration returned, which a later listing must equal. */
  codesFromRegeneration?: string[];
}

export interface CheckContext {
  operation: OperationSpec;
  validators: CompiledValidators;
  intent: ExchangeIntent;
}

export type FailureKind = 'contract' | 'unexpected_status' | 'behaviour' | 'transport' | 'coverage';

export interface Failure {
  check: string;
  kind: FailureKind;
  operationId: string;
  /** HTTP status received, null when none arrived. */
  status: number | null;
  /** Where in the response, e.g. `status`, `header Content-Type`, `body.recovery_codes[3]`. */
  location: string;
  expected: string;
  actual: string;
  /** Further findings of the same check (e.g. more schema errors), already worded. */
  more?: string[];
}

export type Check = (ctx: CheckContext, exchange: Exchange) => Failure | null;

/**
 * The data every check reads and the one Failure shape every output renders
 * (src/report/wording.ts). Checks are pure: (ctx, exchange) => Failure | null.
 */
import type { CompiledValidators } from '../contract/validators';
import type { OperationSpec } from '../contract/model';

export interface Header {
  name: string;
  value: string;
}

export interface RequestRecord {
  method: string;
  url: string;
  headers: Header[];
  /** The serialised body, when one was sent. */
  body?: string;
}

export interface ResponseRecord {
  status: number;
  statusText: string;
  /** As received: original case, duplicates kept, in order. */
  headers: Header[];
  /** Body bytes after content decoding. */
  body: Buffer;
}

export type TransportErrorKind = 'timeout' | 'connection_refused' | 'connection_reset' | 'dns' | 'tls' | 'protocol' | 'budget' | 'other';

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

/** How the request was authenticated. */
export type CredentialKind = 'valid' | 'missing' | 'invalid';

/** What the recipe says must hold for this exchange, beyond the contract. */
export interface Expectations {
  /** The input is invalid and must never be accepted; the recipe's reason. */
  reject?: string;
  /** The list at `pointer` must be non-empty and share no item with `notIn`. */
  fresh?: { pointer: string; notIn: unknown[]; because: string };
  /** The value at `pointer` must equal `value` (lists: the same items, in any order). */
  same?: { pointer: string; value: unknown; because: string; origin: ValueOrigin };
  /** One of these documented responses must arrive, not merely any documented one. */
  require?: { statuses: string[]; because: string };
  /** The documented responses the exchange aims at (keys: `500`, `5XX`, `default`): only those may be a 5xx. */
  aimedAt?: string[];
  /** The request uses a method the contract does not document for its path. */
  undocumentedMethod?: { method: string; documented: string[] };
  /** The request leaves out a required parameter or body member. */
  missing?: { in: 'path' | 'query' | 'header' | 'cookie' | 'body'; name: string };
  /** The exchange must not take longer than this; `from` names the setting. */
  maxResponseTime?: { ms: number; from: string };
  /** The items at `pointer` must include every value in `values`. */
  contains?: ListExpectation;
  /** The items at `pointer` must include none of `values`. */
  excludes?: ListExpectation;
  /** There must be no items at `pointer`. */
  empty?: { pointer: string; because: string };
  /** Another identity's request for a resource must be refused with a client error. */
  refuse?: { because: string; caller: string; owner: string };
}

/** Where the values a list assertion compares with come from, for the words of a failure. */
export type ValueOrigin =
  | { kind: 'saved'; name: string; step: string; identity: string | null }
  | { kind: 'sent'; pointer: string }
  | { kind: 'literal' };

export interface ListExpectation {
  pointer: string;
  values: unknown[];
  because: string;
  origin: ValueOrigin;
  /** The identity the request was sent as (a list shown to one identity may hold another's values). */
  caller: string | null;
}

export interface CheckContext {
  operation: OperationSpec;
  validators: CompiledValidators;
  credential: CredentialKind;
  expect: Expectations;
  /** Whether a body location (RFC 6901 pointer) holds or contains a declared secret: its value is named by type only. */
  isSecret(pointer: string): boolean;
  /** Whether a header carries a secret: its value is never quoted. */
  isSecretHeader(name: string): boolean;
}

export type FailureKind = 'contract' | 'behaviour' | 'transport';

/** Where in the exchange a failure is. */
export type Location =
  | { part: 'status' }
  | { part: 'header'; name: string }
  | { part: 'body'; pointer: string }
  | { part: 'connection' }
  | { part: 'time' };

/** A value as a failure may show it: its JSON type always, its text only when it is not secret. */
export interface ValueShape {
  type: 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object' | 'absent';
  /** Short JSON rendering; absent when the value is masked. */
  preview?: string;
}

/** One schema violation found by Ajv, in data. */
export interface SchemaFinding {
  pointer: string;
  keyword: string;
  params: Record<string, unknown>;
  /** Ajv's own message, for keywords the wording module has no sentence for. */
  message: string;
  value: ValueShape;
  /** oneOf / anyOf: the findings of each alternative, in order. */
  alternatives?: SchemaFinding[][];
}

/** What was looked for. */
export type Expected =
  | { kind: 'documented-status'; statuses: string[] }
  | { kind: 'media-type'; ranges: string[] }
  | { kind: 'no-content'; because: 'informational' | '204' | '304' | 'HEAD' }
  | { kind: 'json' }
  | { kind: 'schema'; finding: SchemaFinding }
  | { kind: 'header-present' }
  | { kind: 'header-schema'; finding: SchemaFinding }
  | { kind: 'rejection'; because: string; statuses: string[] }
  | { kind: 'authentication-required'; credential: 'missing' | 'invalid' }
  | { kind: 'anonymous-access' }
  | { kind: 'required-status'; statuses: string[]; because: string }
  | { kind: 'fresh-values'; because: string }
  | { kind: 'same-values'; because: string; expected: ValueShape[]; origin: ValueOrigin }
  | { kind: 'response' }
  | { kind: 'not-server-error'; aimedAt: string[] }
  | { kind: 'unsupported-method'; method: string; documented: string[] }
  | { kind: 'allow-header'; method: string }
  | { kind: 'missing-refused'; in: string; name: string; statuses: string[] }
  | { kind: 'response-time'; ms: number; from: string }
  | { kind: 'list-contains'; because: string; count: number; origin: ValueOrigin; caller: string | null }
  | { kind: 'list-excludes'; because: string; count: number; origin: ValueOrigin; caller: string | null }
  | { kind: 'list-empty'; because: string }
  | { kind: 'cross-identity-refusal'; because: string; caller: string; owner: string; statuses: string[] };

/** What arrived instead. */
export type Actual =
  | { kind: 'status'; status: number }
  | { kind: 'value'; value: ValueShape }
  | { kind: 'text'; text: string }
  | { kind: 'missing' }
  | { kind: 'content'; bytes: number; header?: string }
  | { kind: 'unparsable'; reason: string; value: ValueShape }
  | { kind: 'empty-list' }
  | { kind: 'reused'; kept: number; of: number }
  | { kind: 'different'; missing: number; extra: number; got: ValueShape[] }
  | { kind: 'transport'; error: TransportErrorKind; message: string }
  | { kind: 'duration'; ms: number }
  | { kind: 'items'; count: number; matched: number };

export interface Failure {
  check: string;
  kind: FailureKind;
  operationId: string;
  /** HTTP status received, null when none arrived. */
  received: number | null;
  location: Location;
  expected: Expected;
  actual: Actual;
  /** Further findings of the same check on the same response. */
  more?: Array<Pick<Failure, 'location' | 'expected' | 'actual'>>;
  /** Other checks the same response broke: consequences of this defect, not defects of their own. */
  also?: Failure[];
  /** Filled by the engine: the documented response the scenario aimed at (e.g. `400`, or `400 or 401` for a rejection). */
  underTest?: string;
  /** Filled by the engine: the candidate or flow step whose exchange failed. */
  step?: string;
  /** Filled by the engine for a generated request: its phase and seed, the input (masked) and, fuzzed, what it was shrunk from. */
  input?: GeneratedInput;
  /** Filled by the engine for a generated request: how to make it again (npm run replay). */
  replay?: { phase: 'coverage'; seed: number; operationId: string; case: number } | { phase: 'fuzz'; seed: number; operationId: string; path: string };
}

export interface GeneratedInput {
  phase: 'coverage' | 'fuzz';
  seed: number;
  label: string;
  /** The input as a person may read it: secret values masked, long ones cut. */
  shown: string[];
  shrunk?: { steps: number; requests: number; from: string[] };
}

export type Check = (ctx: CheckContext, exchange: Exchange) => Failure | null;

/**
 * The recipes format (contracts/recipes.schema.json) as TypeScript, and the
 * resolved form the engine runs: one file beside the contract, optionally
 * layered with SCENARIO_OVERRIDES.
 */

/** An identity name, `none` (no credential) or `invalid` (a credential the server cannot know). */
export type CredentialRef = string;

/** Formats `$fresh` knows by name; `true` follows the schema where it is known. */
export const FRESH_KINDS = ['uuid', 'integer', 'number', 'string', 'boolean', 'email', 'date-time', 'date', 'uri', 'hostname', 'ipv4', 'ipv6'] as const;

export type Expression =
  | { $generate: string }
  | { $saved: string; item?: number; at?: string }
  | { $fresh: true | (typeof FRESH_KINDS)[number] | { pattern: string } }
  | { $example: true }
  | { $identity: string }
  /** Parts joined into one string: literals and expressions. */
  | { $template: ValueExpr[] }
  /** In a step's assertions: the value the step sent at a pointer (/body/..., /path/name, /query/name, /headers/name, /cookies/name). */
  | { $sent: string };

export type ValueExpr = string | number | boolean | null | unknown[] | Expression;

export interface Inputs {
  as?: CredentialRef;
  path?: Record<string, ValueExpr>;
  query?: Record<string, ValueExpr>;
  headers?: Record<string, ValueExpr>;
  cookies?: Record<string, ValueExpr>;
  /** JSON; objects with a single `$` key are expressions. */
  body?: unknown;
  /** The request deliberately breaks the contract: it is not validated before sending. */
  invalid?: boolean;
}

export interface Candidate extends Inputs {
  label: string;
}

export interface RetryPolicy {
  after: 'next-period';
  of: string;
  limit?: number;
}

/** A list assertion of a flow step: the items at `at` (a JSON Pointer, `*` for every item) compared with a value. */
export interface ListAssertion {
  at: string;
  value: ValueExpr;
  because: string;
}

export interface RecipeDef extends Inputs {
  summary?: string;
  /** Another identity asks for the owner's resource: any documented client error, never 2xx (cross_identity_access). */
  refuse?: string;
  /** Whose resource it is (default: the defaults' identity). */
  owner?: CredentialRef;
  candidates?: Candidate[];
  send?: 'until-provoked' | 'all';
  writes?: boolean;
  reject?: string;
  retry?: RetryPolicy;
  skip?: string;
  /** Provoked inside this flow: the verdict comes from the flow's exchanges of this operation. */
  flow?: string;
}

export interface StepDef extends Inputs {
  id: string;
  call: string;
  if?: { empty?: string; notEmpty?: string };
  expect?: string | number | Array<string | number>;
  reject?: string;
  /** `expect` is required (a documented other status fails); the reason. */
  require?: string;
  fresh?: { at: string; notIn: string; because: string };
  /** The value at `at` equals a saved value (`as`) or another value (`value`: a literal, `$saved` or `$sent`). */
  same?: { at: string; as?: string; value?: ValueExpr; because: string };
  contains?: ListAssertion;
  excludes?: ListAssertion;
  empty?: { at: string; because: string };
  /** This step's identity asks for another's resource: any documented client error, never 2xx (cross_identity_access). */
  refuse?: string;
  /** Whose resource it is (default: the identity of the step that saved the values the request uses). */
  owner?: CredentialRef;
  save?: Record<string, string>;
}

export interface FlowDef {
  summary?: string;
  as?: CredentialRef;
  writes?: boolean;
  skip?: string;
  steps?: StepDef[];
}

export interface IdentityDef {
  purpose: string;
  required?: boolean;
  credential?: boolean;
  scheme?: string;
}

export interface GeneratorDef {
  rfc6238: { secret: string; digits?: number; period?: number; algorithm?: 'SHA1' | 'SHA256' | 'SHA512' };
  pick?: 'current' | 'invalid';
  /** Time steps from now (RFC 6238 §4): -10 is the code of ten periods ago, 10 of ten periods ahead. */
  offset?: number;
  /** A shell command printing a value of this generator, for reproductions. */
  reproduce?: string;
}

export interface SecretsDef {
  headers?: string[];
  parameters?: string[];
  bodies?: string[];
  /** Header, cookie, parameter or JSON member names that mark a secret, besides the built-in ones (case-insensitive). */
  names?: string[];
  /** Names that match a secret name but are known not to be secret (case-insensitive). */
  exempt?: string[];
}

/** What the recipes say of an operation as a whole: its response-time budget, and whether inputs may be generated for it. */
export interface OperationOptions {
  maxResponseTimeMs?: number;
  generate?: { skip: string };
}

export interface RecipesDocument {
  version?: 1;
  identities?: Record<string, IdentityDef>;
  generators?: Record<string, GeneratorDef>;
  secrets?: SecretsDef;
  defaults?: { as?: CredentialRef };
  recipes?: Record<string, RecipeDef>;
  flows?: Record<string, FlowDef>;
  operations?: Record<string, OperationOptions>;
}

/** Where a recipe came from, for the report: a file, or derived from the contract. */
export type Origin = { file: string } | { derived: string };

export interface Recipe extends RecipeDef {
  key: string;
  summary: string;
  origin: Origin;
}

export interface Flow extends FlowDef {
  id: string;
  summary: string;
  steps: StepDef[];
  origin: Origin;
}

/** Recipes resolved: every layer merged, checked against the contract. */
export interface Recipes {
  /** The files read, in layer order. */
  files: string[];
  identities: Record<string, IdentityDef>;
  generators: Record<string, GeneratorDef>;
  secrets: Required<SecretsDef>;
  defaultAs: CredentialRef | null;
  recipes: Record<string, Recipe>;
  flows: Flow[];
  operations: Record<string, OperationOptions>;
}

export const NO_CREDENTIAL = 'none';
export const INVALID_CREDENTIAL = 'invalid';

export function isExpression(value: unknown): value is Expression {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.keys(value).some((k) => k.startsWith('$'));
}

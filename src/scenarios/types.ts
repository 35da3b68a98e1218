/**
 * The recipes format (contracts/recipes.schema.json) as TypeScript, and the
 * resolved form the engine runs: one file beside the contract, optionally
 * layered with SCENARIO_OVERRIDES.
 */

/** An identity name, `none` (no credential) or `invalid` (a credential the server cannot know). */
export type CredentialRef = string;

export type Expression =
  | { $generate: string }
  | { $saved: string; item?: number; at?: string }
  | { $fresh: true | 'uuid' | 'integer' | 'string' | 'email' | 'date-time' }
  | { $example: true }
  | { $identity: string };

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

export interface RecipeDef extends Inputs {
  summary?: string;
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
  same?: { at: string; as: string; because: string };
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

export interface RecipesDocument {
  version?: 1;
  identities?: Record<string, IdentityDef>;
  generators?: Record<string, GeneratorDef>;
  secrets?: SecretsDef;
  defaults?: { as?: CredentialRef };
  recipes?: Record<string, RecipeDef>;
  flows?: Record<string, FlowDef>;
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
}

export const NO_CREDENTIAL = 'none';
export const INVALID_CREDENTIAL = 'invalid';

export function isExpression(value: unknown): value is Expression {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.keys(value).some((k) => k.startsWith('$'));
}

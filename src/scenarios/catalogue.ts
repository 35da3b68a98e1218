/**
 * The scenario catalogue: for each documented (operation, status) of the OTP
 * API, who calls with what. 401s of any secured operation are derived
 * generically. Targets adapt recipes without code through SCENARIO_OVERRIDES.
 */
import { isSecured, type OperationSpec } from '../contract/model';
import type { IdentityName } from '../target/identities';
import type { Call, Credential, PathValue, Scenario } from './types';

const as = (identity: IdentityName): Credential => ({ identity });

type Recipe = Omit<Scenario, 'operationId' | 'status'>;

const OTP_RECIPES: Record<string, Recipe> = {
  'findEnsureOtp 204': {
    recipe: 'the authenticator-app user sends the current TOTP',
    calls: [{ label: 'current TOTP', credential: as('METAL_AUTH_TOKEN'), path: { otp: 'current-otp' } }],
    writes: true,
  },
  'findEnsureOtp 400': {
    recipe: 'the authenticator-app user sends a certainly-wrong OTP',
    calls: [{ label: 'wrong OTP', credential: as('METAL_AUTH_TOKEN'), path: { otp: 'wrong-otp' } }],
    writes: true,
    intent: { wrongOtp: true },
  },
  'findRecoveryCodes 200': {
    recipe: 'the authenticator-app user lists their recovery codes',
    calls: [{ label: 'list codes', credential: as('METAL_AUTH_TOKEN') }],
    writes: false,
  },
  'findRecoveryCodes 404': {
    recipe: 'a user without 2FA lists recovery codes',
    calls: [{ label: 'no 2FA', credential: as('METAL_AUTH_TOKEN_NO_2FA') }],
    writes: false,
  },
  'findRecoveryCodes 422': {
    recipe: 'a user whose 2FA enrolment is unconfirmed lists recovery codes',
    calls: [{ label: '2FA pending', credential: as('METAL_AUTH_TOKEN_2FA_PENDING') }],
    writes: false,
  },
  'regenerateCodes 200': {
    recipe: 'the authenticator-app user regenerates their recovery codes',
    calls: [{ label: 'regenerate', credential: as('METAL_AUTH_TOKEN') }],
    writes: true,
  },
  'regenerateCodes 404': {
    recipe: 'a user without 2FA regenerates recovery codes',
    calls: [{ label: 'no 2FA', credential: as('METAL_AUTH_TOKEN_NO_2FA') }],
    writes: true,
  },
  'regenerateCodes 422': {
    recipe: 'a user whose 2FA enrolment is unconfirmed regenerates recovery codes',
    calls: [{ label: '2FA pending', credential: as('METAL_AUTH_TOKEN_2FA_PENDING') }],
    writes: true,
  },
  'receiveCodes 204': {
    recipe: 'an SMS-2FA user with a phone number asks for an SMS',
    calls: [{ label: 'SMS user', credential: as('METAL_AUTH_TOKEN_SMS') }],
    writes: true,
  },
  'receiveCodes 400': {
    recipe: 'an SMS-2FA user without a phone number asks for an SMS',
    calls: [{ label: 'no phone', credential: as('METAL_AUTH_TOKEN_SMS_NO_PHONE') }],
    writes: true,
  },
  'receiveCodes 422': {
    recipe: 'a user without SMS 2FA asks for an SMS',
    calls: [{ label: 'no SMS 2FA', credential: as('METAL_AUTH_TOKEN_NO_2FA') }],
    writes: true,
  },
  'receiveCodes 500': {
    recipe: 'an SMS-2FA user whose SMS gateway fails asks for an SMS',
    calls: [{ label: 'gateway down', credential: as('METAL_AUTH_TOKEN_SMS_FAILING') }],
    writes: true,
  },
};

/** A value for a path parameter the recipe does not fill: its example, enum or a plain word. */
function defaultPathValues(op: OperationSpec): Record<string, PathValue> {
  const out: Record<string, PathValue> = {};
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const schema = typeof p.schema === 'object' && p.schema ? p.schema : {};
    const candidate = Array.isArray(schema.enum) ? schema.enum[0] : schema.type === 'integer' ? 1 : schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : '000000';
    out[p.name] = { literal: String(candidate) };
  }
  return out;
}

function unauthorized(): Recipe {
  // Safe everywhere: without a valid credential nothing can change on any account.
  return {
    recipe: 'the same request with no credential, then with a credential the server cannot know',
    calls: [
      { label: 'missing credential', credential: 'missing' },
      { label: 'invalid credential', credential: 'invalid' },
    ],
    writes: false,
  };
}

export interface ScenarioOverride {
  identity?: IdentityName;
  path?: Record<string, string>;
  skip?: string;
  writes?: boolean;
  recipe?: string;
}

export function scenarioFor(op: OperationSpec, statusKey: string, overrides: Record<string, ScenarioOverride> = {}): Scenario | null {
  const key = `${op.operationId} ${statusKey}`;
  const status = /^\d{3}$/.test(statusKey) ? Number(statusKey) : null;
  const override = overrides[key];
  if (override?.skip) {
    return { operationId: op.operationId, status, recipe: override.recipe ?? 'skipped by SCENARIO_OVERRIDES', calls: [], writes: false, skip: override.skip };
  }
  const base: Recipe | undefined = OTP_RECIPES[key] ?? (status === 401 && isSecured(op) ? unauthorized() : undefined);
  if (!base && !override?.identity) return null;
  const recipe: Recipe = base ?? { recipe: 'configured by SCENARIO_OVERRIDES', calls: [{ label: 'override', credential: 'missing' }], writes: true };
  const defaults = defaultPathValues(op);
  const calls: Call[] = recipe.calls.map((call) => ({
    ...call,
    credential: override?.identity ? as(override.identity) : call.credential,
    path: {
      ...defaults,
      ...call.path,
      ...Object.fromEntries(Object.entries(override?.path ?? {}).map(([k, v]) => [k, { literal: v }])),
    },
  }));
  return {
    ...recipe,
    operationId: op.operationId,
    status,
    calls,
    writes: override?.writes ?? recipe.writes,
    recipe: override?.recipe ?? recipe.recipe,
  };
}

/** Identities and secrets a scenario needs before it can run. */
export function scenarioNeeds(scenario: Scenario): IdentityName[] {
  const needs = new Set<IdentityName>();
  for (const call of scenario.calls) {
    if (typeof call.credential === 'object') needs.add(call.credential.identity);
    for (const value of Object.values(call.path ?? {})) {
      if (value === 'current-otp' || value === 'wrong-otp') needs.add('METAL_OTP_SECRET');
    }
  }
  return [...needs];
}

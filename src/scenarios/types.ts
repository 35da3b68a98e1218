import type { ExchangeIntent } from '../checks/types';
import type { IdentityName } from '../target/identities';

/** Who calls: a configured identity, no credential, or a credential the server cannot know. */
export type Credential = { identity: IdentityName } | 'missing' | 'invalid';

/** How a path parameter is filled. */
export type PathValue =
  | 'current-otp' // the TOTP of METAL_OTP_SECRET now (RFC 6238)
  | 'wrong-otp' // a 6-digit code outside every nearby time step
  | { literal: string };

export interface Call {
  label: string;
  credential: Credential;
  path?: Record<string, PathValue>;
}

/** A named recipe that provokes one documented (operation, status). */
export interface Scenario {
  operationId: string;
  /** The status to provoke; null for a range or `default` (any documented status then passes). */
  status: number | null;
  recipe: string;
  calls: Call[];
  /** Has side effects on the account (runs only where writes are allowed). */
  writes: boolean;
  /** Set when the scenario cannot run on this target, with the reason. */
  skip?: string;
  /** Extra intent every call carries (e.g. wrongOtp). */
  intent?: Partial<ExchangeIntent>;
}

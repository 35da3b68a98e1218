/**
 * Catalogue of deliberate deviations the mock can be started with. A "mutant"
 * breaks the contract in one (operation, status) so that exactly one check
 * (`rule`) should catch it; a "conforming" variant is legal-but-unusual
 * behaviour, applied to every response or to the one (operation, status) it
 * names, which no check may flag.
 *
 * A mutant lists the profiles (profiles.ts) under which its broken response
 * actually occurs; the suite must kill it under each of them. The suite counts
 * a kill on the mutant's rule, operationId, and `received ?? status` (the
 * status of the broken answer) or `status` (the response the scenario aims at).
 *
 * A behaviour is one or more of:
 *  - transform: rewrites the planned response of its (operation, status);
 *  - takeOver:  writes (or withholds) the raw response of its (operation, status) itself;
 *  - flags:     switches a state behaviour (see StateFlags);
 *  - switches:  overrides a profile switch (legal by construction: conforming variants only);
 *  - front:     answers before routing, as a proxy or rate limiter in front of the API would;
 *  - ignoreAuth: its operation treats a missing/unknown token as the main user.
 * transform/takeOver only run where operationId and status match (absent = any,
 * which is how unscoped conforming variants cover every response under /metal/v1),
 * or, for an entry with a `when` trigger, wherever the trigger says: its
 * operationId and status then only name what the suite must report.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INTERNAL_ERROR, NOT_FOUND, NOT_IMPLEMENTED, NO_CONTENT, UNAUTHORIZED } from './http-errors';
import {
  JSON_MEDIA_TYPE,
  acceptsEncoding,
  errorResponse,
  rawResponse,
  serialiseBody,
  type ContentCoding,
  type PlannedResponse,
} from './response';
import { PROFILE_NAMES, type ProfileName, type ProfileSwitches } from './profiles';
import type { MockState, MockUser, StateFlags } from './state';

export const OPERATION_IDS = ['findEnsureOtp', 'findRecoveryCodes', 'regenerateCodes', 'receiveCodes'] as const;
export type OperationId = (typeof OPERATION_IDS)[number];

/** Names of the suite's checks a mutant is expected to trip. */
export const CHECK_RULES = [
  'transport_error',
  'status_code_conformance',
  'content_type_conformance',
  'no_body_conformance',
  'response_schema_conformance',
  'response_headers_conformance',
  'auth_required',
  // A request the recipe declares invalid (wrong, used or revoked code) was accepted with 2xx.
  'negative_data_rejection',
  // A regeneration returned an empty list or a code from before.
  'fresh_values',
  // After a regeneration, the listing does not equal the regenerated codes.
  'saved_values_match',
  // A 5xx where the scenario does not aim at that status.
  'not_a_server_error',
  // An undocumented method on a documented path succeeds (2xx), or its 405 lacks Allow (RFC 9110 §15.5.6).
  'unsupported_method',
  // A list shows values it must not (another user's recovery codes).
  'list_excludes',
] as const;
export type CheckRule = (typeof CHECK_RULES)[number];

export type MutantKind = 'mutant' | 'conforming';

export interface MutationContext {
  /** The operation answered; null for responses no operation matched (404, 400 bad path). */
  readonly operationId: OperationId | null;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly state: MockState;
  /** Writes a planned response the normal way. */
  readonly send: (planned: PlannedResponse) => void;
}

/** What a front behaviour sees: nothing has been routed, authenticated or changed yet. */
export interface FrontContext {
  readonly state: MockState;
  /** The request-target's path is /metal/v1 or below it. */
  readonly underApi: boolean;
}

export interface MutantBehaviour {
  readonly transform?: (planned: PlannedResponse, ctx: MutationContext) => PlannedResponse;
  readonly takeOver?: (planned: PlannedResponse, ctx: MutationContext) => void;
  readonly flags?: Partial<StateFlags>;
  /** Profile switches this variant overrides; only for conforming variants (a switch is legal behaviour). */
  readonly switches?: Partial<ProfileSwitches>;
  /** The response a component in front of the API gives instead of passing the request on; null: pass it on. */
  readonly front?: (req: IncomingMessage, ctx: FrontContext) => PlannedResponse | null;
  readonly ignoreAuth?: boolean;
}

/** What a `when` trigger sees of a response about to be sent under /metal/v1. */
export interface TriggerInput {
  readonly req: IncomingMessage;
  /** The response the profile planned. */
  readonly planned: PlannedResponse;
  /** The operation answered; null for an undocumented method and for unknown or malformed paths. */
  readonly operationId: OperationId | null;
  /**
   * The first operation of the request's path in contract order, whatever the
   * method (findRecoveryCodes for DELETE /user/otp/recovery-codes), which is
   * where the suite counts a path's undocumented methods; null off the documented paths.
   */
  readonly pathOperationId: OperationId | null;
  /** verify's otp path value, percent-decoded (RFC 3986 §2.1); undefined elsewhere. */
  readonly otp: string | undefined;
  /** The user the token authenticated; null if it authenticated nobody or was never looked at (undocumented method, unknown path). */
  readonly user: MockUser | null;
}

export type MutantTrigger = (input: TriggerInput) => boolean;

export interface MutantInfo {
  readonly name: string;
  readonly kind: MutantKind;
  /** A mutant's target; a conforming variant's scope (absent: every response). */
  readonly operationId?: OperationId;
  /** The planned status a mutant's transform applies to, and the response the suite's scenario aims at. */
  readonly status?: number;
  /** The status the broken answer carries, when it differs from `status` (a 500 where a 204 is due). */
  readonly received?: number;
  /** The check that must catch a mutant; never set on a conforming variant. */
  readonly rule?: CheckRule;
  /** Profiles under which the changed response actually occurs; absent: every profile. */
  readonly profiles?: readonly ProfileName[];
  readonly description: string;
}

/** What decides where an entry applies: its (operation, status), or its trigger when it has one. */
export interface MutantScope extends MutantInfo {
  /** For entries whose trigger is the request (a long otp, an undocumented method): replaces the (operation, status) scope. */
  readonly when?: MutantTrigger;
}

export interface MutantDefinition extends MutantScope {
  readonly behaviour: MutantBehaviour;
}

/** A catalogue row for --list and reports: `profiles` always spelled out, and a mutant's `received`. */
export interface MutantRow extends MutantInfo {
  readonly profiles: readonly ProfileName[];
}

/** Every profile but all-401, which never answers verify with 400 for a user with 2FA. */
const VERIFY_400_PROFILES: readonly ProfileName[] = PROFILE_NAMES.filter((p) => p !== 'all-401');

// Small helpers the entries share.

const withStatus = (status: number) => (p: PlannedResponse): PlannedResponse => ({ ...p, status });
const withValue = (value: unknown) => (p: PlannedResponse): PlannedResponse => ({ ...p, value, body: undefined });
const withContentType = (contentType: string | null) => (p: PlannedResponse): PlannedResponse => ({ ...p, contentType });
const withHeaders = (p: PlannedResponse, extra: ReadonlyArray<readonly [string, string]>): PlannedResponse => ({
  ...p,
  headers: [...(p.headers ?? []), ...extra],
});

function recoveryCodesOf(p: PlannedResponse): string[] {
  const v = p.value as { recovery_codes?: unknown } | null | undefined;
  return Array.isArray(v?.recovery_codes) ? (v.recovery_codes as string[]) : [];
}

function isErrorBody(p: PlannedResponse): p is PlannedResponse & { value: { error: string } } {
  return p.status >= 400 && typeof p.value === 'object' && p.value !== null && 'error' in p.value;
}

function isJsonObjectBody(p: PlannedResponse): p is PlannedResponse & { value: Record<string, unknown> } {
  return typeof p.value === 'object' && p.value !== null && !Array.isArray(p.value);
}

/** Compress when the request accepts the coding (RFC 9110 §12.5.3); identity otherwise. */
const encodeIfAccepted = (coding: ContentCoding) => (p: PlannedResponse, ctx: MutationContext): PlannedResponse =>
  p.value !== undefined && acceptsEncoding(ctx.req.headers['accept-encoding'], coding) ? { ...p, contentEncoding: coding } : p;

/**
 * Writes a 204 that carries content, straight to the socket: node's
 * ServerResponse drops 204 bodies. The head (announcing the content with
 * Content-Length or Transfer-Encoding) goes first; a client that takes the 204
 * as complete (it ends at its header section, RFC 9112 §6.3) closes the
 * connection (`Connection: close`) and never meets the stray bytes, which follow
 * only if it is still listening a second later. Sent together, strict parsers
 * such as llhttp fail the whole exchange, and how they arrive would depend on
 * the machine's load: a second keeps the verdict the same on a busy machine.
 */
const STRAY_BODY_DELAY_MS = 1000;
function rawNoContentWithBody(chunked: boolean) {
  return (p: PlannedResponse, ctx: MutationContext): void => {
    const body = Buffer.from(JSON.stringify({ status: 'verified', detail: 'this 204 carries a body' }));
    const bytes = rawResponse(p.status, [['Content-Type', JSON_MEDIA_TYPE]], body, { chunked });
    const headEnd = bytes.indexOf('\r\n\r\n') + 4;
    const socket = ctx.req.socket;
    socket.write(bytes.subarray(0, headEnd));
    const timer = setTimeout(() => {
      if (!socket.destroyed) socket.end(bytes.subarray(headEnd));
    }, STRAY_BODY_DELAY_MS);
    socket.once('close', () => clearTimeout(timer));
  };
}

/** An nginx-style error page, as a proxy in front of the API writes one. */
const nginxPage = (statusLine: string): Buffer =>
  Buffer.from(
    `<html>\r\n<head><title>${statusLine}</title></head>\r\n<body>\r\n` +
      `<center><h1>${statusLine}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
  );
const PROXY_ERROR_PAGE = nginxPage('500 Internal Server Error');

/** Otp length (in characters, i.e. code points) above which verify-500-on-long-otp fails. */
export const LONG_OTP_CHARACTERS = 32;
/** Code points, not UTF-16 units: an emoji is one character. */
const characterCount = (s: string): number => Array.from(s).length;
const hasNonAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
};

/** The request-target length (octets) above which proxy-414-long-uri's proxy refuses a request. */
export const PROXY_MAX_TARGET_BYTES = 2048;
/** RFC 9110 §15.5.15; nginx closes the connection after it. */
const PROXY_URI_TOO_LONG = Object.freeze<PlannedResponse>({
  status: 414,
  body: nginxPage('414 Request-URI Too Large'),
  contentType: 'text/html',
  headers: [['Server', 'nginx']],
  close: true,
});

/** rate-limited-429: at most RATE_LIMIT requests under /metal/v1 are served in any RATE_WINDOW_MS. */
export const RATE_LIMIT = 40;
const RATE_WINDOW_MS = 1000;
/** RFC 6585 §4; Retry-After in seconds (RFC 9110 §10.2.3): a window later a slot is free again. */
const TOO_MANY_REQUESTS = errorResponse(429, 'Too many requests', { headers: [['Retry-After', String(RATE_WINDOW_MS / 1000)]] });
/** Times the API served a request, per server (its state), oldest first; at most RATE_LIMIT entries. */
const servedAt = new WeakMap<MockState, number[]>();
function rateLimit(_req: IncomingMessage, ctx: FrontContext): PlannedResponse | null {
  if (!ctx.underApi) return null;
  const now = ctx.state.now();
  let log = servedAt.get(ctx.state);
  if (log === undefined) {
    log = [];
    servedAt.set(ctx.state, log);
  }
  // A sliding window (now - 1 s, now]: only requests the API served count, so a refused client recovers.
  let gone = 0;
  while (gone < log.length && (log[gone] as number) <= now - RATE_WINDOW_MS) gone++;
  if (gone > 0) log.splice(0, gone);
  if (log.length >= RATE_LIMIT) return TOO_MANY_REQUESTS;
  log.push(now);
  return null;
}

const tokenOf = (req: IncomingMessage): string | undefined => {
  const token = req.headers['x-auth-token'];
  return typeof token === 'string' ? token : undefined;
};

/** Every response to an undocumented method under /metal/v1 is the 405 the server plans for it. */
const undocumentedMethod: MutantTrigger = ({ planned, pathOperationId }) => planned.status === 405 && pathOperationId !== null;

export const MUTANTS: readonly MutantDefinition[] = Object.freeze([
  // content_type_conformance
  {
    name: 'recovery-codes-200-text-plain',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'content_type_conformance',
    description: 'The recovery-code list is labelled text/plain (JSON body unchanged).',
    behaviour: { transform: withContentType('text/plain') },
  },
  {
    name: 'verify-401-no-content-type',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 401,
    rule: 'content_type_conformance',
    description: 'The 401 Error body is sent without any Content-Type header.',
    behaviour: { transform: withContentType(null) },
  },
  {
    name: 'sms-422-text-html',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 422,
    rule: 'content_type_conformance',
    description: 'The 422 Error body (still JSON) is labelled text/html.',
    behaviour: { transform: withContentType('text/html') },
  },
  {
    name: 'sms-500-proxy-html-page',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 500,
    rule: 'content_type_conformance',
    description: 'The 500 is a proxy HTML error page (text/html) instead of a JSON Error.',
    behaviour: {
      transform: (p) => withHeaders({ ...p, body: PROXY_ERROR_PAGE, contentType: 'text/html' }, [['Server', 'nginx']]),
    },
  },
  // response_schema_conformance
  {
    name: 'regenerate-200-codes-as-numbers',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 200,
    rule: 'response_schema_conformance',
    description: 'recovery_codes items are numbers instead of strings.',
    behaviour: {
      // Codes are 10 base-36 characters: they fit a double exactly.
      transform: (p) => withValue({ recovery_codes: recoveryCodesOf(p).map((c) => parseInt(c, 36)) })(p),
    },
  },
  {
    name: 'recovery-codes-200-comma-joined-string',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'response_schema_conformance',
    description: 'recovery_codes is one comma-joined string instead of an array.',
    behaviour: { transform: (p) => withValue({ recovery_codes: recoveryCodesOf(p).join(',') })(p) },
  },
  {
    name: 'recovery-codes-404-error-is-number',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 404,
    rule: 'response_schema_conformance',
    description: 'The 404 Error body is {"error": 404} (error must be a string).',
    behaviour: { transform: withValue({ error: 404 }) },
  },
  {
    name: 'verify-400-errors-is-string',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'response_schema_conformance',
    profiles: VERIFY_400_PROFILES,
    description: 'The 400 Error body is {"errors": "bad otp"} (errors must be an array).',
    behaviour: { transform: withValue({ errors: 'bad otp' }) },
  },
  {
    name: 'sms-500-json-array-body',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 500,
    rule: 'response_schema_conformance',
    description: 'The 500 body is the JSON array ["boom"] instead of an Error object.',
    behaviour: { transform: withValue(['boom']) },
  },
  {
    name: 'regenerate-422-null-body',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 422,
    rule: 'response_schema_conformance',
    description: 'The 422 body is the JSON literal null.',
    behaviour: { transform: withValue(null) },
  },
  {
    name: 'recovery-codes-200-truncated-json',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'response_schema_conformance',
    description: 'The recovery-code list is cut in the middle: invalid JSON.',
    behaviour: {
      transform: (p) => {
        const full = serialiseBody(p) ?? Buffer.from('{}');
        return { ...p, body: full.subarray(0, Math.floor(full.length / 2)) };
      },
    },
  },
  {
    name: 'regenerate-401-error-is-array',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 401,
    rule: 'response_schema_conformance',
    description: 'The 401 Error body is {"error": ["x"]} (error must be a string).',
    behaviour: { transform: withValue({ error: ['x'] }) },
  },
  {
    name: 'recovery-codes-422-json-string-body',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 422,
    rule: 'response_schema_conformance',
    description: 'The 422 body is the JSON string "unprocessable" instead of an Error object.',
    behaviour: { transform: withValue('unprocessable') },
  },
  // no_body_conformance
  {
    name: 'verify-204-with-json-body',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 204,
    rule: 'no_body_conformance',
    description: 'The 204 carries a JSON body with Content-Length (connection closed afterwards).',
    behaviour: { takeOver: rawNoContentWithBody(false) },
  },
  {
    name: 'sms-204-with-chunked-body',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 204,
    rule: 'no_body_conformance',
    description: 'The 204 carries a JSON body in chunked transfer coding (connection closed afterwards).',
    behaviour: { takeOver: rawNoContentWithBody(true) },
  },
  // status_code_conformance: status the contract does not document
  {
    name: 'regenerate-200-answered-201',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 200,
    rule: 'status_code_conformance',
    description: 'Regeneration answers 201 (undocumented) instead of 200.',
    behaviour: { transform: withStatus(201) },
  },
  {
    name: 'verify-400-answered-403',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'status_code_conformance',
    profiles: VERIFY_400_PROFILES,
    description: 'A rejected OTP gets 403 (undocumented) instead of 400.',
    behaviour: { transform: withStatus(403) },
  },
  {
    name: 'sms-401-answered-403',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 401,
    rule: 'status_code_conformance',
    description: 'A missing/invalid token gets 403 (undocumented) instead of 401.',
    behaviour: { transform: withStatus(403) },
  },
  // Behavioural mutants (state or auth); status = the response the default profile should have sent.
  // They occur under every profile: flows regenerate first when the list is empty, so under
  // spent-codes a stale list is the empty one and a non-rotating regeneration returns [].
  {
    name: 'recovery-codes-auth-ignored',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 401,
    rule: 'auth_required',
    description: 'Listing ignores authentication: a missing/invalid token gets the main user\'s 200 list.',
    behaviour: { ignoreAuth: true },
  },
  {
    name: 'regenerate-auth-ignored',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 401,
    rule: 'auth_required',
    description: 'Regeneration ignores authentication: a missing/invalid token regenerates the main user\'s codes.',
    behaviour: { ignoreAuth: true },
  },
  {
    name: 'verify-accepts-any-otp',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Verify accepts any OTP for a user with 2FA (wrong codes get 204).',
    behaviour: { flags: { acceptAnyOtp: true } },
  },
  {
    name: 'recovery-codes-reusable',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Verify does not consume recovery codes: a used code verifies again.',
    behaviour: { flags: { reusableRecoveryCodes: true } },
  },
  {
    name: 'regenerate-no-rotation',
    kind: 'mutant',
    operationId: 'regenerateCodes',
    status: 200,
    rule: 'fresh_values',
    description: 'Regeneration returns the existing codes instead of new ones.',
    behaviour: { flags: { noRotation: true } },
  },
  {
    name: 'recovery-codes-stale-list',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'saved_values_match',
    description: 'After a regeneration the list still shows the codes from before it.',
    behaviour: { flags: { staleListing: true } },
  },
  {
    name: 'revoked-codes-still-accepted',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Codes replaced by a regeneration still verify.',
    behaviour: { flags: { revokedCodesAccepted: true } },
  },
  // transport_error
  {
    name: 'recovery-codes-200-connection-reset',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'transport_error',
    description: 'The connection is reset (TCP RST) instead of sending the 200 list.',
    behaviour: { takeOver: (_p, ctx) => ctx.req.socket.resetAndDestroy() },
  },
  {
    name: 'sms-500-never-answers',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 500,
    rule: 'transport_error',
    description: 'The 500 never arrives: the connection stays open without a response until the server closes.',
    behaviour: { takeOver: () => undefined },
  },
  // not_a_server_error: a 5xx for input the API must refuse, or where a success is due.
  {
    name: 'verify-500-on-long-otp',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    received: 500,
    rule: 'not_a_server_error',
    description: `An authenticated verify whose otp is over ${LONG_OTP_CHARACTERS} characters (percent-decoded) gets a JSON 500 instead of the documented refusal.`,
    // After authentication: a handler that crashes on its input never runs for an unknown token.
    when: ({ operationId, otp, user }) => operationId === 'findEnsureOtp' && user !== null && otp !== undefined && characterCount(otp) > LONG_OTP_CHARACTERS,
    behaviour: { transform: () => INTERNAL_ERROR },
  },
  {
    name: 'verify-500-on-non-ascii-otp',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    received: 500,
    rule: 'not_a_server_error',
    description: 'An authenticated verify whose otp holds a non-ASCII character (percent-decoded UTF-8) gets a JSON 500 instead of the documented refusal.',
    when: ({ operationId, otp, user }) => operationId === 'findEnsureOtp' && user !== null && otp !== undefined && hasNonAscii(otp),
    behaviour: { transform: () => INTERNAL_ERROR },
  },
  {
    name: 'sms-204-answered-500',
    kind: 'mutant',
    operationId: 'receiveCodes',
    status: 204,
    received: 500,
    rule: 'not_a_server_error',
    description: 'Where the SMS goes out (204 due) the answer is the documented 500 with a JSON Error body.',
    behaviour: { transform: () => INTERNAL_ERROR },
  },
  // unsupported_method: what an undocumented method on a documented path gets.
  {
    name: 'undocumented-delete-succeeds',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 405,
    received: 204,
    rule: 'unsupported_method',
    description: 'DELETE /user/otp/recovery-codes with a valid token answers 204 as if it did something (it changes nothing); without one, 401.',
    when: ({ req, pathOperationId }) => req.method === 'DELETE' && pathOperationId === 'findRecoveryCodes',
    // Routed to a handler, so authentication comes first, as for the documented methods.
    behaviour: { transform: (_p, ctx) => (ctx.state.userByToken(tokenOf(ctx.req)) !== undefined ? NO_CONTENT : UNAUTHORIZED) },
  },
  {
    name: 'verify-405-without-allow',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 405,
    rule: 'unsupported_method',
    description: 'The 405 to an undocumented method on /user/otp/verify/{otp} carries no Allow header (RFC 9110 §15.5.6 requires it).',
    when: ({ planned, pathOperationId }) => planned.status === 405 && pathOperationId === 'findEnsureOtp',
    behaviour: { transform: (p) => ({ ...p, headers: (p.headers ?? []).filter(([name]) => name.toLowerCase() !== 'allow') }) },
  },
  // negative_data_rejection: time steps far outside the window (RFC 6238 §5.2), and other users' codes.
  {
    name: 'totp-old-codes-accepted',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Verify accepts the TOTP code of any time step of the last 24 hours (2880 steps of 30 s), not only the window around now.',
    behaviour: { flags: { acceptOldTotp: true } },
  },
  {
    name: 'totp-future-codes-accepted',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Verify accepts the TOTP code of any time step of the next 24 hours (2880 steps of 30 s), not only the window around now.',
    behaviour: { flags: { acceptFutureTotp: true } },
  },
  {
    name: 'recovery-codes-accepted-for-any-user',
    kind: 'mutant',
    operationId: 'findEnsureOtp',
    status: 400,
    rule: 'negative_data_rejection',
    description: 'Verify accepts an unused recovery code of any user, consuming it from its owner (OWASP API1:2023, broken object level authorization).',
    behaviour: { flags: { anyUsersRecoveryCode: true } },
  },
  // list_excludes
  {
    name: 'recovery-codes-shown-to-everyone',
    kind: 'mutant',
    operationId: 'findRecoveryCodes',
    status: 200,
    rule: 'list_excludes',
    description: 'Every user is shown the codes of the first user who listed theirs since the last reset: a cache keyed by nothing (OWASP API1:2023).',
    behaviour: { flags: { sharedCodeListing: true } },
  },
  // Conforming variants scoped to one response: another documented status, which the suite may only note as not provoked.
  {
    name: 'sms-no-phone-answered-422',
    kind: 'conforming',
    operationId: 'receiveCodes',
    status: 400,
    description: 'A user without a phone gets 422 (documented for receiveCodes) instead of 400.',
    behaviour: { transform: withStatus(422) },
  },
  {
    name: 'no-2fa-codes-answered-422',
    kind: 'conforming',
    operationId: 'findRecoveryCodes',
    status: 404,
    description: 'A user without 2FA listing recovery codes gets 422 (documented for findRecoveryCodes) instead of 404.',
    behaviour: { transform: withStatus(422) },
  },
  {
    name: 'totp-current-step-only',
    kind: 'conforming',
    operationId: 'findEnsureOtp',
    status: 204,
    description: 'Verify accepts only the current time step\'s TOTP code, no ±1 step window (RFC 6238 §5.2 lets the verifier choose the window, none included).',
    behaviour: { switches: { totpWindowSteps: 0 } },
  },
  // Conforming variants triggered by the request: what the suite's generated inputs may meet.
  {
    name: 'proxy-414-long-uri',
    kind: 'conforming',
    description: `A front proxy answers a request-target over ${PROXY_MAX_TARGET_BYTES} bytes with 414 and an nginx HTML page (text/html) before the API sees it (RFC 9110 §15.5.15).`,
    // node hands the request-target over as latin1: one character per octet.
    behaviour: { front: (req) => ((req.url ?? '').length > PROXY_MAX_TARGET_BYTES ? PROXY_URI_TOO_LONG : null) },
  },
  {
    name: 'rate-limited-429',
    kind: 'conforming',
    description: `Over ${RATE_LIMIT} requests under /metal/v1 within one second get 429 with Retry-After: 1 and a JSON Error body (RFC 6585 §4), before the API sees them.`,
    behaviour: { front: rateLimit },
  },
  {
    name: 'undocumented-method-404',
    kind: 'conforming',
    description: 'Undocumented methods on the API\'s paths get a JSON 404 instead of 405 (any 4xx refuses; only a 405 needs Allow, RFC 9110 §15.5.6).',
    when: undocumentedMethod,
    behaviour: { transform: () => NOT_FOUND },
  },
  {
    name: 'undocumented-method-501',
    kind: 'conforming',
    description: 'Undocumented methods on the API\'s paths get a JSON 501 Not Implemented instead of 405 (RFC 9110 §15.6.2; §9.1 prefers 405 only as a SHOULD).',
    when: undocumentedMethod,
    behaviour: { transform: () => NOT_IMPLEMENTED },
  },
  // Conforming variants: legal HTTP on every response.
  {
    name: 'json-charset-utf8',
    kind: 'conforming',
    description: 'Content-Type application/json; charset=utf-8 on every JSON body.',
    behaviour: { transform: (p) => (p.contentType === undefined ? { ...p, contentType: 'application/json; charset=utf-8' } : p) },
  },
  {
    name: 'json-media-type-odd-case',
    kind: 'conforming',
    description: 'Content-Type Application/JSON; Charset="UTF-8": case-insensitive type and parameter name, quoted value (RFC 9110 §8.3.1).',
    behaviour: { transform: (p) => (p.contentType === undefined ? { ...p, contentType: 'Application/JSON; Charset="UTF-8"' } : p) },
  },
  {
    name: 'extra-response-headers',
    kind: 'conforming',
    description: 'Undocumented extra response headers (X-Request-Id, RateLimit-*, Cache-Control).',
    behaviour: {
      transform: (p) =>
        withHeaders(p, [
          ['X-Request-Id', randomUUID()],
          ['RateLimit-Limit', '1000'],
          ['RateLimit-Remaining', '999'],
          ['RateLimit-Reset', '60'],
          ['Cache-Control', 'no-store'],
        ]),
    },
  },
  {
    name: 'extra-body-properties',
    kind: 'conforming',
    description: 'Every JSON object body carries undocumented extra properties.',
    behaviour: {
      transform: (p) =>
        isJsonObjectBody(p)
          ? withValue({ ...p.value, request_id: randomUUID(), meta: { api_version: '1', deprecated: false } })(p)
          : p,
    },
  },
  {
    name: 'empty-code-list-omitted',
    kind: 'conforming',
    operationId: 'findRecoveryCodes',
    status: 200,
    // Only the spent-codes profile has an empty list to leave out.
    profiles: ['spent-codes'],
    description: 'An empty recovery code list is {} (recovery_codes is optional).',
    behaviour: { transform: (p) => (recoveryCodesOf(p).length === 0 ? withValue({})(p) : p) },
  },
  {
    name: 'error-body-empty-object',
    kind: 'conforming',
    description: 'Error bodies are {} (no property of Error is required).',
    behaviour: { transform: (p) => (isErrorBody(p) ? withValue({})(p) : p) },
  },
  {
    name: 'error-body-errors-only',
    kind: 'conforming',
    description: 'Error bodies carry only errors: [..] instead of error.',
    behaviour: { transform: (p) => (isErrorBody(p) ? withValue({ errors: [p.value.error] })(p) : p) },
  },
  {
    name: 'gzip-content-encoding',
    kind: 'conforming',
    description: 'Bodies gzip-encoded when the request accepts gzip (RFC 9110 §8.4).',
    behaviour: { transform: encodeIfAccepted('gzip') },
  },
  {
    name: 'br-content-encoding',
    kind: 'conforming',
    description: 'Bodies brotli-encoded when the request accepts br (RFC 9110 §8.4).',
    behaviour: { transform: encodeIfAccepted('br') },
  },
  {
    name: 'chunked-transfer-encoding',
    kind: 'conforming',
    description: 'Bodies sent with chunked transfer coding instead of Content-Length (RFC 9112 §7.1).',
    behaviour: { transform: (p) => ({ ...p, chunked: true }) },
  },
  {
    name: 'connection-close',
    kind: 'conforming',
    description: 'Connection: close on every response; each connection serves one request (RFC 9112 §9.6).',
    behaviour: { transform: (p) => ({ ...p, close: true }) },
  },
  {
    name: 'json-surrounding-whitespace',
    kind: 'conforming',
    description: 'JSON bodies pretty-printed with leading/trailing whitespace and newlines (RFC 8259 §2).',
    behaviour: {
      transform: (p) => {
        if (p.value === undefined) return p;
        return { ...p, body: Buffer.from(` \r\n\t${JSON.stringify(p.value, null, 2)}\n \n`) };
      },
    },
  },
  {
    name: 'slow-150ms',
    kind: 'conforming',
    description: 'Every answer is delayed by about 150 ms.',
    behaviour: { transform: (p) => ({ ...p, delayMs: 150 }) },
  },
] satisfies MutantDefinition[]);

const BY_NAME: ReadonlyMap<string, MutantDefinition> = new Map(MUTANTS.map((m) => [m.name, m]));

export const MUTANT_NAMES: readonly string[] = Object.freeze(MUTANTS.map((m) => m.name));

export function findMutant(name: string): MutantDefinition | undefined {
  return BY_NAME.get(name);
}

/** The named mutant; throws an Error listing the valid names otherwise. */
export function getMutant(name: string): MutantDefinition {
  const m = BY_NAME.get(name);
  if (m === undefined) throw new Error(`Unknown mock mutant "${name}". Valid names: ${MUTANT_NAMES.join(', ')}`);
  return m;
}

/** The profiles under which an entry's changed response occurs. */
export function mutantProfiles(m: MutantInfo): readonly ProfileName[] {
  return m.profiles ?? PROFILE_NAMES;
}

/** What a kill is matched on: a mutant's `received`, else its `status`; a conforming variant's only if set. */
function rowReceived(m: MutantInfo): number | undefined {
  return m.received ?? (m.kind === 'mutant' ? m.status : undefined);
}

/** The catalogue without behaviours: plain, JSON-serialisable rows (for --list and reports). */
export function describeMutants(): MutantRow[] {
  return MUTANTS.map((m) => {
    const received = rowReceived(m);
    return {
      name: m.name,
      kind: m.kind,
      ...(m.operationId !== undefined && { operationId: m.operationId }),
      ...(m.status !== undefined && { status: m.status }),
      ...(received !== undefined && { received }),
      ...(m.rule !== undefined && { rule: m.rule }),
      profiles: [...mutantProfiles(m)],
      description: m.description,
    };
  });
}

/**
 * Whether an entry's transform/takeOver applies to this response: its
 * operationId and status, each when set (a mutant's target, a conforming
 * variant's scope); an unscoped conforming variant applies everywhere. An
 * entry with a `when` trigger applies where the trigger says, and never
 * without the request to judge (`input`).
 */
export function mutantApplies(m: MutantScope, operationId: OperationId | null, status: number, input?: TriggerInput): boolean {
  if (m.when !== undefined) return input !== undefined && m.when(input);
  return (m.operationId === undefined || m.operationId === operationId) && (m.status === undefined || m.status === status);
}

/**
 * A stateful mock of the Equinix Metal OTP endpoints on bare node:http.
 *
 * The hot path is deliberately plain: string comparisons for routing, constant
 * responses pre-serialised to Buffers, no per-request logging, and a request
 * without a body is answered synchronously. A profile (see profiles.ts) sets
 * the state switches and verify's rejection statuses. A mutant (see mutants.ts)
 * hooks in at exactly four places: the state flags and switches, the front
 * (before routing), the auth fallback, and `respond`, after the profile has
 * planned the response.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ADMIN_OK,
  BAD_PATH,
  BODY_TOO_LARGE,
  CLIENT_ERROR_BODIES,
  CODES_NO_2FA,
  CODES_PENDING,
  INTERNAL_ERROR,
  NOT_FOUND,
  NO_CONTENT,
  OTP_NO_2FA,
  OTP_REJECTED,
  OTP_TOO_LONG,
  SMS_GATEWAY_FAILED,
  SMS_NOT_ENABLED,
  SMS_NO_PHONE,
  UNAUTHORIZED,
  methodNotAllowed,
} from './http-errors';
import { getMutant, mutantApplies, type MutantDefinition, type MutationContext, type OperationId, type TriggerInput } from './mutants';
import { DEFAULT_PROFILE, getProfile, type ProfileDefinition } from './profiles';
import { JSON_MEDIA_TYPE, rawResponse, writeResponse, type PlannedResponse } from './response';
import { MockState, isMalformedOtp, type MockUser } from './state';

export interface MockServerOptions {
  /** Name of a catalogue entry in mutants.ts; unset or '' = the conforming mock. */
  mutant?: string;
  /** Name of a profile in profiles.ts; unset or '' = `default`. */
  profile?: string;
  /** TOTP time step in seconds (the main user's included); default 30. Tests use short steps. */
  totpPeriodSeconds?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Limit for receiving a whole request (and its headers); default 10 000 ms. */
  requestTimeoutMs?: number;
  /** Clock for TOTP and SMS timestamps (ms since the epoch); default Date.now. */
  now?: () => number;
  /** Told about exceptions a handler threw (answered with 500); default: ignored. */
  onError?: (err: unknown) => void;
}

export interface MockServer {
  readonly server: http.Server;
  readonly state: MockState;
  /** The active catalogue entry, or null. */
  readonly mutant: MutantDefinition | null;
  /** The active profile. */
  readonly profile: ProfileDefinition;
  /** Starts listening (port 0 = any free port); resolves to the base URL, e.g. http://127.0.0.1:4010/metal/v1. */
  listen(port?: number): Promise<string>;
  /** Stops listening, drops every connection (including ones a mutant left hanging). */
  close(): Promise<void>;
}

export const API_PREFIX = '/metal/v1';
export const BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_HEADER_BYTES = 16 * 1024;
export const MAX_OTP_LENGTH = 64;

type Route =
  | { readonly kind: 'verify'; readonly otp: string }
  | { readonly kind: 'codes' | 'sms' | 'not-found' | 'bad-path' }
  | { readonly kind: 'admin'; readonly name: string };

const CODES_ROUTE: Route = { kind: 'codes' };
const SMS_ROUTE: Route = { kind: 'sms' };
const NOT_FOUND_ROUTE: Route = { kind: 'not-found' };
const BAD_PATH_ROUTE: Route = { kind: 'bad-path' };

/** The first operation of a documented path in contract order, whatever the method. */
function pathOperation(route: Route): OperationId | null {
  switch (route.kind) {
    case 'verify':
      return 'findEnsureOtp';
    case 'codes':
      return 'findRecoveryCodes';
    case 'sms':
      return 'receiveCodes';
    default:
      return null;
  }
}

/** The path of a request-target, without query (ignored) and fragment. */
function targetPath(url: string): string | null {
  let path = url;
  if (path.charCodeAt(0) !== 0x2f /* / */) {
    // absolute-form must be accepted too (RFC 9112 §3.2.2); anything else (e.g. `*`) is not routable.
    const scheme = path.indexOf('://');
    if (scheme === -1) return null;
    const slash = path.indexOf('/', scheme + 3);
    path = slash === -1 ? '/' : path.slice(slash);
  }
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  const hash = path.indexOf('#');
  return hash === -1 ? path : path.slice(0, hash);
}

/**
 * Routes a path segment by segment. Segments are percent-decoded one at a
 * time, so an encoded `/` (%2F) stays inside its segment, and decoding
 * percent-encoded unreserved characters first makes equivalent URIs route alike
 * (RFC 3986 §6.2.2.2). Bad percent-encoding or invalid UTF-8 and dot-segments
 * (RFC 3986 §3.3), raw or encoded, are rejected instead of being resolved.
 */
function parseRoute(path: string): Route {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    // Only visible ASCII may appear in a URI (RFC 3986 §2); node passes raw octets on as latin1.
    if (c < 0x21 || c > 0x7e) return BAD_PATH_ROUTE;
  }
  const raw = path.split('/');
  const segs: string[] = [];
  for (let i = 1; i < raw.length; i++) {
    let s = raw[i] as string;
    if (s.indexOf('%') !== -1) {
      try {
        s = decodeURIComponent(s);
      } catch {
        return BAD_PATH_ROUTE;
      }
    }
    if (s === '.' || s === '..') return BAD_PATH_ROUTE;
    segs.push(s);
  }
  if (segs[0] === 'metal' && segs[1] === 'v1' && segs[2] === 'user' && segs[3] === 'otp') {
    if (segs.length === 5 && segs[4] === 'recovery-codes') return CODES_ROUTE;
    if (segs.length === 6) {
      const last = segs[5] as string;
      if (segs[4] === 'verify' && last !== '') return { kind: 'verify', otp: last };
      if (segs[4] === 'sms' && last === 'receive') return SMS_ROUTE;
    }
  } else if (segs.length === 2 && segs[0] === '_mock') {
    return { kind: 'admin', name: segs[1] as string };
  }
  return NOT_FOUND_ROUTE;
}

/** A request has content iff it has Content-Length or Transfer-Encoding (RFC 9112 §6.3). */
function hasBody(req: http.IncomingMessage): boolean {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

function recoveryCodes(codes: string[]): PlannedResponse {
  return { status: 200, value: { recovery_codes: codes } };
}

const noop = (): void => undefined;

export function createMockServer(opts: MockServerOptions = {}): MockServer {
  const mutant = opts.mutant === undefined || opts.mutant === '' ? null : getMutant(opts.mutant);
  const profile = opts.profile === undefined || opts.profile === '' ? DEFAULT_PROFILE : getProfile(opts.profile);
  const host = opts.host ?? '127.0.0.1';
  const requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
  // A conforming variant may override a profile switch; the result is still legal behaviour.
  const switches = { ...profile.switches, ...mutant?.behaviour.switches };
  const state = new MockState({
    ...(opts.now !== undefined && { now: opts.now }),
    ...(opts.totpPeriodSeconds !== undefined && { totpPeriodSeconds: opts.totpPeriodSeconds }),
    flags: mutant?.behaviour.flags ?? {},
    switches,
  });
  const { malformedOtpStatus, rejectedOtpStatus } = switches;
  const front = mutant?.behaviour.front;
  const onError = opts.onError ?? noop;
  const timers = new Set<NodeJS.Timeout>();

  /** Writes a response, honouring a planned delay. */
  function emit(res: http.ServerResponse, planned: PlannedResponse): void {
    if (planned.delayMs === undefined || planned.delayMs <= 0) {
      writeResponse(res, planned);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (res.destroyed || res.writableEnded) return;
      try {
        writeResponse(res, planned);
      } catch (err) {
        fail(res, err);
      }
    }, planned.delayMs);
    timers.add(timer);
  }

  /**
   * Every /metal/v1 response goes through here: the one place a mutant rewrites
   * or takes over a response. `user` is who the token authenticated, if it was looked at.
   */
  function respond(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    op: OperationId | null,
    planned: PlannedResponse,
    route: Route,
    user: MockUser | null = null,
  ): void {
    const input: TriggerInput | undefined =
      mutant?.when === undefined
        ? undefined
        : { req, planned, operationId: op, pathOperationId: pathOperation(route), otp: route.kind === 'verify' ? route.otp : undefined, user };
    if (mutant === null || !mutantApplies(mutant, op, planned.status, input)) {
      emit(res, planned);
      return;
    }
    const { transform, takeOver } = mutant.behaviour;
    if (transform === undefined && takeOver === undefined) {
      emit(res, planned);
      return;
    }
    const ctx: MutationContext = { operationId: op, req, res, state, send: (p) => emit(res, p) };
    if (takeOver !== undefined) takeOver(planned, ctx);
    else if (transform !== undefined) emit(res, transform(planned, ctx));
  }

  /** A handler threw: answer 500 if nothing was sent yet, else cut the connection. */
  function fail(res: http.ServerResponse, err: unknown): void {
    onError(err);
    if (!res.headersSent && !res.destroyed) {
      try {
        writeResponse(res, INTERNAL_ERROR);
        return;
      } catch {
        // fall through to destroy
      }
    }
    res.destroy();
  }

  function planVerify(user: MockUser, otp: string): PlannedResponse {
    // Nothing to verify against: 400 under every profile.
    if (user.twoFactor === 'none') return otp.length > MAX_OTP_LENGTH ? OTP_TOO_LONG[400] : OTP_NO_2FA;
    if (otp.length > MAX_OTP_LENGTH) return OTP_TOO_LONG[malformedOtpStatus];
    if (state.verifyOtp(user, otp)) return NO_CONTENT;
    return OTP_REJECTED[isMalformedOtp(otp) ? malformedOtpStatus : rejectedOtpStatus];
  }

  function plan(op: OperationId, user: MockUser, route: Route): PlannedResponse {
    switch (op) {
      case 'findEnsureOtp':
        return planVerify(user, route.kind === 'verify' ? route.otp : '');
      case 'findRecoveryCodes':
        if (user.twoFactor === 'none') return CODES_NO_2FA;
        if (user.pending) return CODES_PENDING;
        return recoveryCodes(state.listRecoveryCodes(user));
      case 'regenerateCodes':
        if (user.twoFactor === 'none') return CODES_NO_2FA;
        if (user.pending) return CODES_PENDING;
        return recoveryCodes(state.regenerateRecoveryCodes(user));
      case 'receiveCodes':
        switch (state.sendSms(user)) {
          case 'sent':
            return NO_CONTENT;
          case 'no-phone':
            return SMS_NO_PHONE;
          case 'gateway-failed':
            return SMS_GATEWAY_FAILED;
          case 'not-enabled':
            return SMS_NOT_ENABLED;
        }
    }
  }

  function operate(req: http.IncomingMessage, res: http.ServerResponse, op: OperationId, route: Route): void {
    // node lower-cases field names, which are case-insensitive (RFC 9110 §5.1).
    const token = req.headers['x-auth-token'];
    let user = state.userByToken(typeof token === 'string' ? token : undefined);
    if (user === undefined) {
      if (mutant?.behaviour.ignoreAuth !== true || mutant.operationId !== op) {
        respond(req, res, op, UNAUTHORIZED, route);
        return;
      }
      user = state.user('METAL_AUTH_TOKEN');
    }
    respond(req, res, op, plan(op, user, route), route, user);
  }

  /** Reads and discards a request body up to BODY_LIMIT_BYTES, then continues; never buffers it. */
  function withBody(req: http.IncomingMessage, res: http.ServerResponse, op: OperationId | null, route: Route, next: () => void): void {
    req.on('error', noop); // a client abort must not surface as an unhandled 'error'
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > BODY_LIMIT_BYTES) {
      // Known too large up front: answer before reading any of it (RFC 9110 §15.5.14).
      respond(req, res, op, BODY_TOO_LARGE, route);
      return;
    }
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES && !settled) {
        settled = true;
        // Nothing is kept; what is still in flight is discarded until the
        // response (Connection: close) ends the connection. Pausing instead
        // would make the kernel answer the unread upload with a TCP RST,
        // which can destroy the 413 before the client reads it.
        req.off('data', onData);
        try {
          respond(req, res, op, BODY_TOO_LARGE, route);
        } catch (err) {
          fail(res, err);
        }
      }
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      settled = true;
      try {
        next();
      } catch (err) {
        fail(res, err);
      }
    });
  }

  function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, name: string): void {
    const m = req.method;
    switch (name) {
      case 'health':
        writeResponse(res, m === 'GET' || m === 'HEAD' ? ADMIN_OK : methodNotAllowed('GET, HEAD'));
        return;
      case 'outbox':
        writeResponse(res, m === 'GET' || m === 'HEAD' ? { status: 200, value: { messages: state.outbox } } : methodNotAllowed('GET, HEAD'));
        return;
      case 'reset':
        if (m === 'POST') state.reset();
        writeResponse(res, m === 'POST' ? ADMIN_OK : methodNotAllowed('POST'));
        return;
      default:
        writeResponse(res, NOT_FOUND);
    }
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const path = targetPath(url);
    const underApi = path !== null && (path === API_PREFIX || path.startsWith(API_PREFIX + '/'));
    if (front !== undefined) {
      // A proxy or rate limiter in front of the API: the request is not routed, authenticated or acted on.
      const answer = front(req, { state, underApi });
      if (answer !== null) {
        emit(res, answer);
        return;
      }
    }
    const route = path === null ? BAD_PATH_ROUTE : parseRoute(path);
    if (route.kind === 'admin') {
      handleAdmin(req, res, route.name);
      return;
    }
    let op: OperationId | null = null;
    let allow = '';
    // Methods are case-sensitive (RFC 9110 §9.1).
    const m = req.method;
    switch (route.kind) {
      case 'verify':
        if (m === 'POST') op = 'findEnsureOtp';
        else allow = 'POST';
        break;
      case 'codes':
        // HEAD is answered like GET, without content (RFC 9110 §9.3.2).
        if (m === 'GET' || m === 'HEAD') op = 'findRecoveryCodes';
        else if (m === 'POST') op = 'regenerateCodes';
        else allow = 'GET, HEAD, POST';
        break;
      case 'sms':
        if (m === 'POST') op = 'receiveCodes';
        else allow = 'POST';
        break;
      default:
        break;
    }
    if (op === null) {
      const planned = allow !== '' ? methodNotAllowed(allow) : route.kind === 'bad-path' ? BAD_PATH : NOT_FOUND;
      if (underApi) respond(req, res, null, planned, route);
      else writeResponse(res, planned);
      return;
    }
    const operation = op;
    if (hasBody(req)) withBody(req, res, operation, route, () => operate(req, res, operation, route));
    else operate(req, res, operation, route);
  }

  const server = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      // Slow clients cannot hold a connection forever; must satisfy headersTimeout <= requestTimeout.
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      // node only checks the two timeouts every connectionsCheckingInterval ms (default 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 4))),
    },
    (req, res) => {
      try {
        handle(req, res);
      } catch (err) {
        fail(res, err);
      }
    },
  );

  // Requests node's parser rejects (oversized headers, timeouts, bad syntax) get a JSON answer when possible.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || (inFlight != null && inFlight.headersSent)) {
      socket.destroy();
      return;
    }
    const status =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 431 // RFC 6585 §5
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_REQUEST_HEADERS_TIMEOUT'
          ? 408 // RFC 9110 §15.5.9
          : err.code === 'HPE_URI_TOO_LONG'
            ? 414
            : 400;
    socket.end(rawResponse(status, [['Content-Type', JSON_MEDIA_TYPE]], CLIENT_ERROR_BODIES[status]));
  });

  return {
    server,
    state,
    mutant,
    profile,
    listen(port = 0): Promise<string> {
      return new Promise((resolve, reject) => {
        const onListenError = (err: Error): void => reject(err);
        server.once('error', onListenError);
        server.listen(port, host, () => {
          server.off('error', onListenError);
          const addr = server.address() as AddressInfo;
          const hostPart = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
          resolve(`http://${hostPart}:${addr.port}${API_PREFIX}`);
        });
      });
    },
    close(): Promise<void> {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise((resolve) => {
        if (!server.listening) {
          server.closeAllConnections();
          resolve();
          return;
        }
        server.close(() => resolve());
        // Also drops busy connections, e.g. a response a mutant never sends.
        server.closeAllConnections();
      });
    },
  };
}

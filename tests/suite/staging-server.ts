/**
 * A second, independent implementation of the OTP API (not the mock's code),
 * used as "staging" by the project's tests. Its legal choices differ from the
 * mock's: a malformed code gets 400, a wrong, used or revoked one 401, and a TOTP
 * code verifies once per time step. Own tokens; records every request it receives (GET /__requests). Run: node --import tsx tests/suite/staging-server.ts
 * Env: PORT (0 = any), TLS_KEY + TLS_CERT (serve HTTPS), STAGING_429_EVERY=N (every Nth API request gets 429).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Secret, TOTP } from 'otpauth';
import { STAGING, type Seen } from './staging-tokens';


interface Account {
  twoFactor: 'app' | 'sms' | null;
  confirmed: boolean;
  phone: boolean;
  gatewayDown: boolean;
  codes: string[];
  /** Last accepted TOTP step (RFC 6238 §5.2). */
  lastStep: number | null;
}

const newCodes = () => Array.from({ length: 8 }, () => randomBytes(5).toString('hex'));
const accounts = new Map<string, Account>([
  [STAGING.alice, { twoFactor: 'app', confirmed: true, phone: false, gatewayDown: false, codes: newCodes(), lastStep: null }],
  [STAGING.bob, { twoFactor: null, confirmed: false, phone: false, gatewayDown: false, codes: [], lastStep: null }],
  [STAGING.carol, { twoFactor: 'sms', confirmed: true, phone: true, gatewayDown: false, codes: newCodes(), lastStep: null }],
  [STAGING.dave, { twoFactor: 'sms', confirmed: true, phone: false, gatewayDown: false, codes: newCodes(), lastStep: null }],
  [STAGING.erin, { twoFactor: 'app', confirmed: false, phone: false, gatewayDown: false, codes: [], lastStep: null }],
  [STAGING.frank, { twoFactor: 'sms', confirmed: true, phone: true, gatewayDown: true, codes: newCodes(), lastStep: null }],
]);
const totp = new TOTP({ secret: Secret.fromBase32(STAGING.secret), digits: 6, period: 30 });

const seen: Seen[] = [];
const every429 = Number(process.env.STAGING_429_EVERY) || 0;
let apiCount = 0;

function reply(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): number {
  if (body === undefined) res.writeHead(status, headers).end();
  else res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  return status;
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): number {
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/__requests') return reply(res, 200, seen);
  if (!path.startsWith('/metal/v1/')) return reply(res, 404, { error: 'no such route' });
  if (every429 && ++apiCount % every429 === 0) return reply(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
  const account = accounts.get(String(req.headers['x-auth-token'] ?? ''));
  const route = `${req.method} ${path.slice('/metal/v1'.length).replace(/^\/user\/otp\/verify\/[^/]+$/, '/user/otp/verify/{otp}')}`;
  const known = ['POST /user/otp/verify/{otp}', 'GET /user/otp/recovery-codes', 'POST /user/otp/recovery-codes', 'POST /user/otp/sms/receive'];
  if (!known.includes(route)) return reply(res, 404, { errors: ['not found'] });
  if (!account) return reply(res, 401, { error: 'invalid or missing API token' });
  switch (route) {
    case 'POST /user/otp/verify/{otp}': {
      const otp = decodeURIComponent(path.split('/').pop()!);
      if (!account.twoFactor) return reply(res, 400, { error: 'two-factor authentication is not enabled' });
      // Malformed input is a bad request; a well-formed code that does not verify is an authentication failure.
      if (!/^(\d{6}|[0-9a-f]{10})$/.test(otp)) return reply(res, 400, { error: 'malformed one-time password' });
      const delta = totp.validate({ token: otp, window: 1 });
      if (delta !== null) {
        // RFC 6238 §5.2: a code is accepted once; codes of its step and earlier are spent.
        const step = Math.floor(Date.now() / 30_000) + delta;
        if (account.lastStep !== null && step <= account.lastStep) return reply(res, 401, { error: 'one-time password already used' });
        account.lastStep = step;
        return reply(res, 204);
      }
      const i = account.codes.indexOf(otp);
      if (i < 0) return reply(res, 401, { errors: ['invalid, used or revoked code'] });
      account.codes.splice(i, 1);
      return reply(res, 204);
    }
    case 'GET /user/otp/recovery-codes':
    case 'POST /user/otp/recovery-codes':
      if (!account.twoFactor) return reply(res, 404, { error: 'two-factor authentication is not enabled' });
      if (!account.confirmed) return reply(res, 422, { errors: ['two-factor enrolment is not confirmed'] });
      if (req.method === 'POST') account.codes = newCodes();
      return reply(res, 200, { recovery_codes: account.codes });
    default:
      if (account.twoFactor !== 'sms') return reply(res, 422, { error: 'SMS two-factor authentication is not enabled' });
      if (!account.phone) return reply(res, 400, { error: 'no phone number on file' });
      if (account.gatewayDown) return reply(res, 500, { error: 'SMS provider unavailable' });
      return reply(res, 204);
  }
}

const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
  req.resume();
  const token = req.headers['x-auth-token'];
  const auth = token === undefined ? 'none' : accounts.has(String(token)) ? 'valid' : 'unknown';
  const status = handle(req, res);
  if (req.url !== '/__requests') seen.push({ at: Date.now(), method: req.method ?? '', path: (req.url ?? '').replace(/verify\/[^/?]+/, 'verify/{otp}'), auth, status });
};

const server = process.env.TLS_KEY
  ? https.createServer({ key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT!) }, listener)
  : http.createServer(listener);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`staging listening on ${process.env.TLS_KEY ? 'https' : 'http'}://127.0.0.1:${port}/metal/v1\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

/** The name rule: which header, cookie, parameter and member names mark a secret, whether the contract documents them or not. */
import { expect, test } from '@playwright/test';
import type { ContractPlan } from '../../src/contract/model';
import type { SecretsDef } from '../../src/scenarios/types';
import { SecretPolicy } from '../../src/scenarios/secrets';

function policy(secrets: SecretsDef = {}): SecretPolicy {
  return new SecretPolicy({ secrets: { headers: [], parameters: [], bodies: [], names: [], exempt: [], ...secrets } }, { operations: [] });
}

const secretNames = (p: SecretPolicy, names: string[]) => names.filter((n) => p.isSecretName(n));

test('secret leak: credential headers (Authorization, Proxy-Authorization, Cookie, Set-Cookie) are secret by name, in any case, whatever the recipes exempt', () => {
  const exact = ['authorization', 'Proxy-Authorization', 'COOKIE', 'Set-Cookie'];
  expect(secretNames(policy(), exact)).toEqual(exact);
  expect(secretNames(policy({ exempt: exact }), exact)).toEqual(exact);
});

test('secret leak: an undocumented name containing token, secret, password, passwd, session, api-key, apikey, auth or otp was shown', () => {
  const names = ['X-Session-Token', 'access_token', 'refreshToken', 'client_secret', 'new_password', 'passwd', 'JSESSIONID', 'x-api-key', 'apikey', 'X-Auth-User', 'oauth_state', 'authorization_code', 'otp', 'totp', 'X-OTP-Code', 'smsOtp'];
  expect(secretNames(policy(), names)).toEqual(names);
});

test('secret leak: api_key, apiKey, X-Api-Key, api.key and API-KEY read alike (`-`, `_`, `.` and case do not matter)', () => {
  const p = policy();
  expect(secretNames(p, ['api_key', 'apiKey', 'X-Api-Key', 'api.key', 'API-KEY', 'Access.Token', 'PASS_WORD'])).toEqual(['api_key', 'apiKey', 'X-Api-Key', 'api.key', 'API-KEY', 'Access.Token', 'PASS_WORD']);
  expect(p.isSecretHeader('X-API_KEY')).toBe(true);
  expect(p.isSecretParameter('sessionId')).toBe(true);
});

test('false alarm: ordinary names stayed readable (Content-Type, Location, X-Request-Id, page, errors, recovery_codes)', () => {
  // The name rule reads names, not values: a declared location still decides for recovery_codes.
  expect(secretNames(policy(), ['Content-Type', 'Accept', 'Location', 'X-Request-Id', 'page', 'errors', 'recovery_codes', 'scope', 'expires_in', 'Keep-Alive'])).toEqual([]);
});

test('false alarm: names that contain a term but hold no secret stay readable', () => {
  const p = policy();
  // `otp` inside a word is no one-time password: footprint, isNotPublic, dotPath, hotplug.
  // `author` names a person, `authority` a host (RFC 3986 §3.2): only auth + `oriz`/`oris` (authorization) still matches.
  // WWW-Authenticate / Proxy-Authenticate carry a challenge (RFC 9110 §11.6.1, §11.7.1): a 401's reader needs it.
  // token_type / token_type_hint name a kind of token (RFC 6749 §5.1, RFC 7009 §2.1): masking `Bearer` everywhere would blank reproductions.
  expect(secretNames(p, ['footprint', 'isNotPublic', 'dotPath', 'hotplug', 'author', 'authority', 'coauthor_id', 'WWW-Authenticate', 'Proxy-Authenticate', 'token_type', 'Token-Type-Hint'])).toEqual([]);
  expect(secretNames(p, ['authorisation', 'x-authorization-id', 'author_token'])).toEqual(['authorisation', 'x-authorization-id', 'author_token']);
});

test('secret leak: a name the recipes add (`names`) is matched where it is contained, like the built-in terms', () => {
  const p = policy({ names: ['pin', 'X-Vault'] });
  expect(secretNames(p, ['pin', 'device_pin', 'X-PIN-Code', 'pinned', 'x_vault_id', 'xVaultRef'])).toEqual(['pin', 'device_pin', 'X-PIN-Code', 'pinned', 'x_vault_id', 'xVaultRef']);
  expect(policy().isSecretName('device_pin')).toBe(false); // without the recipes' name it is no secret
  // The recipes know better than the built-in list: token_type named there is masked.
  expect(policy({ names: ['token_type'] }).isSecretName('token_type')).toBe(true);
});

test('false alarm: a name the recipes exempt is shown; only that exact name (case and separators aside)', () => {
  const p = policy({ exempt: ['X-Session-Region', 'otp_enabled'] });
  expect(secretNames(p, ['X-Session-Region', 'x_session_region', 'OTP-Enabled'])).toEqual([]);
  expect(secretNames(p, ['X-Session-Regions', 'X-Session-Token', 'otp'])).toEqual(['X-Session-Regions', 'X-Session-Token', 'otp']);
  // The recipes' own exempt wins over their names (an exception to a rule they also wrote).
  expect(policy({ names: ['region'], exempt: ['X-Session-Region'] }).isSecretName('X-Session-Region')).toBe(false);
});

test('secret leak: exempting a name does not unmask what is declared or a security scheme credential', () => {
  const p = new SecretPolicy(
    { secrets: { headers: ['X-Session-Region'], parameters: ['otp'], bodies: [], names: [], exempt: ['X-Session-Region', 'otp', 'X-Issuer-Key'] } },
    // Only the security schemes of the operations are read.
    { operations: [{ security: [[{ name: 'key', type: 'apiKey', in: 'header', paramName: 'X-Issuer-Key' }]] }] } as unknown as Pick<ContractPlan, 'operations'>,
  );
  expect(p.isSecretName('X-Session-Region')).toBe(false);
  expect(p.isSecretHeader('X-Session-Region')).toBe(true);
  expect(p.isSecretParameter('otp')).toBe(true);
  expect(p.isSecretHeader('x-issuer-key')).toBe(true);
});

test('secret leak: a value at or inside a secret-named member was quoted by a failure (isSecretPointer)', () => {
  const p = policy();
  expect(p.isSecretPointer('/grants/0/access_token')).toBe(true);
  expect(p.isSecretPointer('/session/id')).toBe(true);
  expect(p.isSecretPointer('/grants/0/scope')).toBe(false);
  // Above a name nothing is known: a list of grants is not secret for holding one.
  expect(p.isSecretPointer('/grants/0')).toBe(false);
});

/** Secret locations: values are found and masked where the recipes declare them, and where they turn up instead. */
import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import type { Exchange, Header } from '../../src/checks/types';
import { Redactor, MASK } from '../../src/report/redact';
import { curlCommand, maskLiterals, requestText, responseText } from '../../src/report/render';
import type { BuiltRequest } from '../../src/scenarios/request';
import { SecretPolicy } from '../../src/scenarios/secrets';

const policy = new SecretPolicy({ secrets: { headers: [], parameters: [], bodies: ['/recovery_codes/*'], names: [], exempt: [] } }, { operations: [] });

test('values at the declared location are masked by type, the rest stays', () => {
  expect(policy.mask({ recovery_codes: ['a1b2c3', 42], error: 'kept' })).toEqual({ recovery_codes: ['‹masked string›', '‹masked number›'], error: 'kept' });
  expect(policy.collect({ recovery_codes: ['a1b2c3', 42] })).toEqual(['a1b2c3', '42']);
});

test('secret leak: codes in an unexpected shape (joined, wrapped, a bare list, a bare string) were shown verbatim', () => {
  expect(policy.mask({ recovery_codes: 'abc,def' })).toEqual({ recovery_codes: '‹masked string›' });
  expect(policy.collect({ recovery_codes: 'abc,def' })).toEqual(expect.arrayContaining(['abc,def', 'abc', 'def']));
  expect(policy.mask({ data: { recovery_codes: ['abcdefghij'] } })).toEqual({ data: { recovery_codes: ['‹masked string›'] } });
  expect(policy.collect({ data: { recovery_codes: ['abcdefghij'] } })).toEqual(['abcdefghij']);
  expect(policy.mask(['abcdefghij', 'klmnopqrst'])).toEqual(['‹masked string›', '‹masked string›']);
  expect(policy.mask('abcdefghij')).toBe('‹masked string›');
  // An object body of another shape (an Error) is left readable.
  expect(policy.mask({ error: 'not found' })).toEqual({ error: 'not found' });
});

test('secret leak: text that is not JSON showed its codes, whatever its first character', () => {
  expect(maskLiterals(`)]}',\n{"recovery_codes": ["abcdefghij", 12345`)).toBe(`)]}',\n{"recovery_codes": ["${MASK}", ${MASK}`);
});

test('secret leak: a value percent-encoded as URLs carry it (RFC 3986 §2.1) stayed readable', () => {
  const r = new Redactor();
  r.add("ab!c(d)xyz");
  expect(r.redact('GET /verify/ab%21c%28d%29xyz')).toBe(`GET /verify/${MASK}`);
});

test('crash: masking a failure whose numbers equal a secret broke its JSON form', () => {
  const r = new Redactor();
  r.add('200', 'a"b\\c-secret');
  const f = r.redactFailure({ check: 'x', kind: 'contract', operationId: 'op', received: 200, location: { part: 'status' }, expected: { kind: 'response' }, actual: { kind: 'text', text: 'a"b\\c-secret and 200' } });
  expect(f.received).toBe(200);
  expect(f.actual).toEqual({ kind: 'text', text: `${MASK} and ${MASK}` });
});

/** Secrets found by name alone: nothing declared, as for a server that sends what its contract never mentions. */
const byName = new SecretPolicy({ secrets: { headers: [], parameters: [], bodies: [], names: [], exempt: [] } }, { operations: [] });

function exchange(request: Partial<Exchange['request']>, response?: { headers?: Header[]; body?: string; status?: number }): Exchange {
  return {
    request: { method: 'GET', url: 'http://h/v1/x', headers: [], ...request },
    response: response ? { status: response.status ?? 200, statusText: 'OK', headers: response.headers ?? [], body: Buffer.from(response.body ?? '') } : null,
    error: null,
    durationMs: 1,
  };
}

test('secret leak: an undocumented X-Session-Token response header was written unmasked into the Allure attachments', () => {
  const ex = exchange({}, { headers: [{ name: 'X-Session-Token', value: 'hdr-7f3a9c' }, { name: 'X-Request-Id', value: 'req-1' }] });
  const r = new Redactor();
  r.add(...byName.collectExchange(ex));
  const text = responseText(ex, byName, r);
  expect(text).toContain(`X-Session-Token: ${MASK}`);
  expect(text).toContain('X-Request-Id: req-1');
  expect(text).not.toContain('hdr-7f3a9c');
});

test('secret leak: each of several Set-Cookie lines showed its value; names and attributes stay readable (RFC 6265 §4.1.1)', () => {
  const ex = exchange({}, { headers: [{ name: 'Set-Cookie', value: 'session=s-91b2; HttpOnly' }, { name: 'set-cookie', value: 'refresh_token="r-44c1"; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT' }] });
  const text = responseText(ex, byName, new Redactor());
  expect(text).toContain(`Set-Cookie: session=${MASK}; HttpOnly`);
  expect(text).toContain(`set-cookie: refresh_token=${MASK}; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT`);
  expect(byName.collectExchange(ex)).toEqual(['s-91b2', '"r-44c1"', 'r-44c1']);
  // Joined by a client (newline) or folded by a proxy (comma before the next name=): still one value per cookie.
  expect(byName.maskHeader('Set-Cookie', 'a=1x; Path=/\nb=2y')).toBe(`a=${MASK}; Path=/\nb=${MASK}`);
  expect(byName.maskHeader('Set-Cookie', 'a=1x; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=2y; Secure')).toBe(`a=${MASK}; Expires=Wed, 21 Oct 2026 07:28:00 GMT, b=${MASK}; Secure`);
  // A deletion (empty value) has nothing to hide; a line that is no cookie pair is masked whole.
  expect(byName.maskHeader('Set-Cookie', 'session=; Max-Age=0')).toBe('session=; Max-Age=0');
  expect(byName.maskHeader('Set-Cookie', 'opaque-blob')).toBe(MASK);
});

test('secret leak: a Cookie request header is masked value by value, names kept; an exempt cookie is shown; unsure, all of it (RFC 6265 §4.2.1)', () => {
  expect(byName.maskHeader('Cookie', 'theme=dark; session=s-1a2b')).toBe(`theme=${MASK}; session=${MASK}`);
  const exempting = new SecretPolicy({ secrets: { headers: [], parameters: [], bodies: [], names: [], exempt: ['theme'] } }, { operations: [] });
  expect(exempting.maskHeader('Cookie', 'theme=dark; session=s-1a2b')).toBe(`theme=dark; session=${MASK}`);
  expect(exempting.scanHeader('Cookie', 'theme=dark; session=s-1a2b').found).toEqual(['s-1a2b']);
  expect(byName.maskHeader('Cookie', 's-1a2b; theme=dark')).toBe(MASK);
  expect(byName.scanHeader('Cookie', 's-1a2b; theme=dark').found).toEqual(['s-1a2b; theme=dark']);
});

test('secret leak: a token inside a JSON string inside the JSON was shown verbatim', () => {
  const doc = { data: JSON.stringify({ access_token: 'inr-5d6e', expires_in: 3600, deeper: JSON.stringify({ session: 'ses-77' }) }), note: '{not json', list: '[1, 2]' };
  const masked = byName.mask(doc) as Record<string, string>;
  expect(JSON.parse(masked.data!)).toEqual({ access_token: '‹masked string›', expires_in: 3600, deeper: JSON.stringify({ session: '‹masked string›' }) });
  // Strings that hold no secret, or no JSON, keep their exact text.
  expect(masked.note).toBe('{not json');
  expect(masked.list).toBe('[1, 2]');
  expect(byName.collect(doc)).toEqual(['inr-5d6e', 'ses-77']);
});

test('secret leak: secret-named members at any depth, inside arrays, and whole objects under a secret name were shown', () => {
  const doc = { grants: [{ scope: 'read', access_token: 'acc-1f' }, { nested: [{ refresh_token: 'rft-2e' }] }], session: { id: 'sid-3d', ttl: 60, ok: true } };
  expect(byName.mask(doc)).toEqual({
    grants: [{ scope: 'read', access_token: '‹masked string›' }, { nested: [{ refresh_token: '‹masked string›' }] }],
    session: { id: '‹masked string›', ttl: '‹masked number›', ok: '‹masked boolean›' },
  });
  expect(byName.collect(doc)).toEqual(['acc-1f', 'rft-2e', 'sid-3d', '60']);
});

test('false alarm: the words of a value found by name were each masked everywhere (only a declared joined list is split)', () => {
  // `auth_method: "one time password"` is one value: `time` must not vanish from every other line of the report.
  expect(byName.collect({ auth_method: 'one time password' })).toEqual(['one time password']);
  expect(policy.collect({ recovery_codes: 'abc def' })).toEqual(['abc def', 'abc', 'def']);
});

test('secret leak: a token in a URL query (Location, Content-Location, Link, Refresh, a fragment) was shown; other parameters stay', () => {
  expect(byName.maskHeader('Location', 'https://x/cb?session=ses-9a&page=2#top')).toBe(`https://x/cb?session=${MASK}&page=2#top`);
  expect(byName.maskHeader('Content-Location', '/v1/s?token=loc%2Fab%2Bcd')).toBe(`/v1/s?token=${MASK}`);
  expect(byName.maskHeader('Link', '<https://x/next?otp=123456>; rel="next", <https://x/first?page=1>; rel="first"')).toBe(`<https://x/next?otp=${MASK}>; rel="next", <https://x/first?page=1>; rel="first"`);
  expect(byName.maskHeader('Refresh', '0; url=https://x/?api_key=k-7')).toBe(`0; url=https://x/?api_key=${MASK}`);
  // RFC 6749 §4.2.2: an implicit grant returns its token in the fragment; token_type (RFC 6749 §5.1) stays readable.
  expect(byName.maskHeader('Location', 'https://cb/#access_token=at-1&token_type=bearer')).toBe(`https://cb/#access_token=${MASK}&token_type=bearer`);
  const ex = exchange({}, { headers: [{ name: 'Location', value: '/v1/s?token=loc%2Fab%2Bcd&view=full' }] });
  expect(byName.collectExchange(ex)).toEqual(['loc%2Fab%2Bcd', 'loc/ab+cd']);
});

test('secret leak: a secret-named query parameter of the request URL itself was shown in the request, the curl command and elsewhere', () => {
  const ex = exchange({ url: 'http://h/v1/x?refresh_token=rft-8c&page=2', headers: [{ name: 'X-Api-Key', value: 'k-55aa' }] }, { body: '{"echo":"rft-8c"}' });
  const found = byName.collectExchange(ex);
  expect(found).toEqual(['k-55aa', 'rft-8c']);
  const r = new Redactor();
  r.add(...found);
  const text = requestText(ex, byName, r);
  expect(text).toContain(`GET http://h/v1/x?refresh_token=${MASK}&page=2`);
  expect(text).toContain(`X-Api-Key: ${MASK}`);
  // The same value anywhere else (an echo under an ordinary name) is masked by the redactor it was fed to.
  expect(responseText(ex, byName, r)).toContain(`"echo": "${MASK}"`);
  const built: BuiltRequest = { method: 'GET', url: 'http://h/v1/x?refresh_token=rft-8c&page=2', maskedUrl: 'http://h/v1/x?refresh_token=rft-8c&page=2', headers: [{ name: 'X-Api-Key', value: 'k-55aa' }], pathTemplate: '/x', parts: [], credential: 'valid', placements: [], secrets: [], generators: [], problems: [] };
  expect(curlCommand(built, byName, new Redactor())).toBe(`curl -sS -i -X GET 'http://h/v1/x?refresh_token=${MASK}&page=2' -H 'X-Api-Key: <X-Api-Key: a secret value>'`);
});

test('secret leak: a saved token sent on in a path segment with an ordinary name showed in the reproduction', () => {
  const r = new Redactor();
  r.add('acc-4b3c2d');
  const built: BuiltRequest = {
    method: 'GET',
    url: 'http://h/v1/grants/acc-4b3c2d',
    maskedUrl: 'http://h/v1/grants/acc-4b3c2d',
    headers: [],
    pathTemplate: '/grants/{grant}',
    parts: [{ in: 'path', name: 'grant', text: 'acc-4b3c2d', source: { kind: 'saved', name: 'access', step: 'open', operationId: 'openSession', pointer: '/grants/0/access_token' }, secret: false }],
    credential: 'missing',
    placements: [],
    secrets: [],
    generators: [],
    problems: [],
  };
  expect(curlCommand(built, byName, r)).toBe(`curl -sS -i -X GET 'http://h/v1/grants/<grant: /grants/0/access_token from openSession (flow step open)>'`);
});

test('secret leak: a secret-named member of a body that is not JSON (cut off, a form, a page) was shown', () => {
  expect(byName.scanText('{"access_token": "at-9z", "n": 1, "pin": 12').shown).toBe(`{"access_token": "${MASK}", "n": 1, "pin": 12`);
  expect(byName.scanText('{"session": "ses-cut').shown).toBe(`{"session": "${MASK}`);
  // The value `password` of grant_type is no secret: names decide, not values.
  expect(byName.scanText('grant_type=password&password=hunter22').shown).toBe(`grant_type=password&password=${MASK}`);
  expect(byName.scanText('<a href="/cb?token=tk-31">next</a>').shown).toBe(`<a href="/cb?token=${MASK}">next</a>`);
  const ex = exchange({ method: 'POST', body: 'grant_type=password&password=hunter22', headers: [{ name: 'Content-Type', value: 'application/x-www-form-urlencoded' }] }, { body: '{"access_token": "at-9z", "n": ' });
  expect(byName.collectExchange(ex)).toEqual(['hunter22', 'at-9z']);
  expect(requestText(ex, byName, new Redactor())).toContain(`grant_type=password&password=${MASK}`);
});

test('secret leak: an Authorization value was masked whole, but its credentials alone, echoed back, were not (RFC 9110 §11.4)', () => {
  const ex = exchange({ headers: [{ name: 'Authorization', value: 'Bearer eyJ.abc.def' }] });
  expect(byName.collectExchange(ex)).toEqual(['Bearer eyJ.abc.def', 'eyJ.abc.def']);
});

test('secret leak: a secret with a quote in it showed in a re-rendered JSON body, where it reads \\" (RFC 8259 §7)', () => {
  const r = new Redactor();
  r.add('a"b-secret', 'c d+e');
  expect(r.redact(JSON.stringify({ echo: 'a"b-secret' }))).toBe(`{"echo":"${MASK}"}`);
  // A form's encoding (WHATWG URL): space as `+`.
  expect(r.redact('q=c+d%2Be')).toBe(`q=${MASK}`);
});

test('what is declared is still masked by declaration: a declared header with an ordinary name, and the maskLiterals fallback for text', () => {
  const declared = new SecretPolicy({ secrets: { headers: ['X-Vault-Token', 'X-Plain'], parameters: [], bodies: ['/codes/*'], names: [], exempt: [] } }, { operations: [] });
  expect(declared.maskHeader('X-Plain', 'v-1')).toBe(MASK);
  expect(declared.scanHeader('X-Plain', 'v-1').found).toEqual(['v-1']);
  const ex = exchange({}, { body: '{"codes": ["abc-def", ', headers: [{ name: 'content-type', value: 'application/json' }] });
  expect(responseText(ex, declared, new Redactor())).toContain(`{"codes": ["${MASK}", `);
});

test('crash: a 10 MB body that is not JSON overflowed the stack while its text was searched for secret names', () => {
  const cut = `{"recovery_codes": ["${'a'.repeat(10 * 1024 * 1024)}`;
  expect(byName.collectExchange(exchange({}, { body: cut }))).toEqual([]);
  const secret = `{"access_token": "${'\\n'.repeat(3 * 1024 * 1024)}`;
  expect(byName.scanText(secret).shown).toBe(`{"access_token": "${MASK}`);
});

test('secret leak: a secret-named value anywhere in generated JSON (nested, in arrays, in JSON strings, in URL strings) reached the rendered response', () => {
  // Secret values carry the prefix `sv-`, ordinary values never do: any `sv-` in the output is a leak.
  const secretValue = fc.stringMatching(/^[a-z0-9]{10}$/).map((s) => `sv-${s}`);
  const secretName = fc.constantFrom('access_token', 'X-Session-Token', 'apiKey', 'client_secret', 'sessionId', 'otp', 'new_password', 'authCode');
  const plainName = fc.constantFrom('id', 'scope', 'items', 'data', 'next', 'meta');
  const { node } = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.integer(), fc.constantFrom('read', 'ok', null, true)),
      secretValue.map((v) => `https://x/cb?session=${v}&page=1`),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.tuple(fc.dictionary(plainName, tie('node'), { maxKeys: 3 }), fc.option(fc.tuple(secretName, fc.oneof(secretValue, fc.array(secretValue, { maxLength: 2 }))), { nil: undefined })).map(([plain, secret]) => (secret ? { ...plain, [secret[0]]: secret[1] } : plain)),
      tie('node').map((inner) => JSON.stringify(inner)),
    ),
  }));
  fc.assert(
    fc.property(node, (doc) => {
      const ex = exchange({}, { body: JSON.stringify({ data: doc }), headers: [{ name: 'content-type', value: 'application/json' }] });
      const r = new Redactor();
      r.add(...byName.collectExchange(ex));
      return !responseText(ex, byName, r).includes('sv-');
    }),
    { seed: 20261202, numRuns: 300 },
  );
});

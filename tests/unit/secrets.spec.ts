/** Secret locations: values are found and masked where the recipes declare them, and where they turn up instead. */
import { expect, test } from '@playwright/test';
import { Redactor, MASK } from '../../src/report/redact';
import { maskLiterals } from '../../src/report/render';
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

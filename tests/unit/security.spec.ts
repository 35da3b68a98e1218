/** Security checks of a second factor: validity windows of one-time codes, one identity's resources and secrets kept from another. */
import { expect, test } from '@playwright/test';
import { CHECKS } from '../../src/checks';
import { itemsAt } from '../../src/checks/http';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { failureLines } from '../../src/report/wording';
import type { GeneratorDef } from '../../src/scenarios/types';
import { describeOffset, generate, INVALID_CODE_MARGIN_STEPS } from '../../src/scenarios/values';
import { base32Decode, codeAt, counterCode } from '../../src/scenarios/rfc6238';
import { ctx, fixture, json, loaded, type Loaded } from '../helpers';

let otp: Loaded;
let notes: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
  notes = await loaded(fixture('notes/notes.openapi.yaml'));
});

const secret = MOCK_IDENTITIES.METAL_OTP_SECRET;

test.describe('validity windows of one-time codes (RFC 6238 §5.2)', () => {
  const def = (offset: number): GeneratorDef => ({ rfc6238: { secret: 'S', digits: 6, period: 30, algorithm: 'SHA1' }, offset });
  test('an offset gives the code of that time step, and it is masked like a current code', () => {
    const now = 1_700_000_000_000;
    for (const offset of [-10, -1, 0, 1, 10]) {
      try {
        const code = generate(def(offset), secret, now);
        expect(code.value).toBe(codeAt(secret, now + offset * 30_000));
        expect(code.secret).toBe(true);
      } catch (error) {
        expect((error as Error).message).toContain('equals the code of a step near now');
      }
    }
    expect(describeOffset(-10)).toBe('10 periods ago');
    expect(describeOffset(1)).toBe('1 period ahead');
  });
  test('miss: a far step\'s code that happens to equal a code near now would verify legitimately; it is never sent', () => {
    // Codes of 400,000 consecutive steps, to find a step whose code of 10 periods ago repeats a code within the margin.
    const key = base32Decode(secret);
    const first = 56_666_666;
    const codes = Array.from({ length: 400_000 }, (_, i) => counterCode(key, first + i, 6, 'SHA1'));
    const collides = (i: number) => codes.slice(i - INVALID_CODE_MARGIN_STEPS, i + INVALID_CODE_MARGIN_STEPS + 1).includes(codes[i - 10]!);
    const at = (i: number) => (first + i) * 30_000 + 1_000;
    const collision = codes.findIndex((_, i) => i >= 10 + INVALID_CODE_MARGIN_STEPS && i < codes.length - INVALID_CODE_MARGIN_STEPS && collides(i));
    expect(collision, 'no repeated code in 400,000 steps to test with').toBeGreaterThan(0);
    expect(() => generate(def(-10), secret, at(collision))).toThrow('the code of 10 periods ago equals the code of a step near now, so it is not sent');
    expect(generate(def(-10), secret, at(collision + 1)).value).toBe(codes[collision + 1 - 10]);
  });
});

test.describe('cross_identity_access (OWASP API1:2023)', () => {
  test('another identity reading or deleting a resource fails on 2xx, naming both identities; any client error is fine', () => {
    const c = ctx(notes, 'getNote', { expect: { refuse: { because: 'a private note is its owner\'s', caller: 'NOTES_API_KEY_2', owner: 'NOTES_API_KEY' } } });
    const failure = CHECKS.cross_identity_access(c, json(200, { id: 'x', title: 't', slug: 's' }));
    expect(failureLines(failure!)[0]).toBe("[cross_identity_access] status: expected a refusal (a documented client error: 401, 403 or 404): the resource is NOTES_API_KEY's and NOTES_API_KEY_2 asked for it, because a private note is its owner's, got 200: it was accepted");
    for (const status of [403, 404, 401]) expect(CHECKS.cross_identity_access(c, json(status, { message: 'no' })), String(status)).toBeNull();
  });
});

test.describe('list assertions', () => {
  const origin = { kind: 'saved' as const, name: 'mine', step: 'mine', identity: 'METAL_AUTH_TOKEN' };
  test('a JSON Pointer with * stands for every item (RFC 6901 extended): /notes/*/id', () => {
    expect(itemsAt({ notes: [{ id: 'a' }, { id: 'b' }, { x: 1 }] }, '/notes/*/id')).toEqual(['a', 'b']);
    expect(itemsAt({ recovery_codes: ['a', 'b'] }, '/recovery_codes')).toEqual(['a', 'b']);
    expect(itemsAt({}, '/recovery_codes')).toEqual([]);
    expect(itemsAt({ a: 'x' }, '/a')).toEqual(['x']);
  });
  test('miss: another user\'s recovery codes shown to the SMS user passed; list_excludes fails, naming whose values and who saw them, without showing one', () => {
    const codes = ['k7q2m9x4p1', 'a8d3f6h2j5'];
    const c = ctx(otp, 'findRecoveryCodes', { expect: { excludes: { pointer: '/recovery_codes', values: codes, because: 'one user\'s codes are theirs alone', origin, caller: 'METAL_AUTH_TOKEN_SMS' } }, secret: ['/recovery_codes'] });
    const failure = CHECKS.list_excludes(c, json(200, { recovery_codes: [...codes, 'zzzzzzzzzz'] }));
    const line = failureLines(failure!)[0]!;
    expect(line).toBe('[list_excludes] body.recovery_codes: expected items that hold none of the 2 values saved as "mine" by step mine (as METAL_AUTH_TOKEN), shown to METAL_AUTH_TOKEN_SMS, because one user\'s codes are theirs alone, got 3 items, all of them those values');
    for (const code of codes) expect(JSON.stringify(failure)).not.toContain(code);
    expect(CHECKS.list_excludes(c, json(200, { recovery_codes: ['zzzzzzzzzz'] }))).toBeNull();
    expect(CHECKS.list_excludes(c, json(200, {}))).toBeNull();
  });
  test('list_contains: the created item is listed; list_empty: nothing is', () => {
    const contains = ctx(notes, 'listNotes', { expect: { contains: { pointer: '/notes/*/id', values: ['n1'], because: 'a created note is listed', origin: { kind: 'saved', name: 'id', step: 'create', identity: 'NOTES_API_KEY' }, caller: 'NOTES_API_KEY' } } });
    expect(failureLines(CHECKS.list_contains(contains, json(200, { notes: [{ id: 'n2' }] }))!)[0]).toBe('[list_contains] body.notes[*].id: expected items that include the value saved as "id" by step create (as NOTES_API_KEY), because a created note is listed, got 1 item, not that one');
    expect(CHECKS.list_contains(contains, json(200, { notes: [{ id: 'n2' }, { id: 'n1' }] }))).toBeNull();
    const empty = ctx(notes, 'listNotes', { expect: { empty: { pointer: '/notes', because: 'no note carries the tag' } } });
    expect(failureLines(CHECKS.list_empty(empty, json(200, { notes: [{ id: 'n1' }, { id: 'n2' }] }))!)[0]).toBe('[list_empty] body.notes: expected no items, because no note carries the tag, got 2 items');
    expect(CHECKS.list_empty(empty, json(200, { notes: [] }))).toBeNull();
    // A refusal is no list to judge.
    expect(CHECKS.list_empty(empty, json(400, { message: 'x' }))).toBeNull();
  });
  test('miss: a scalar mismatch read "expected the 1 saved value … got 1 saved value missing and 1 other shown"; it shows both values and where the expected one came from', () => {
    const c = ctx(notes, 'createNote', { expect: { same: { pointer: '/title', value: 'Buy oat milk', because: 'the note is the one sent', origin: { kind: 'sent', pointer: '/body/title' } } } });
    expect(failureLines(CHECKS.saved_values_match(c, json(201, { title: 'BUY OAT MILK' }))!)[0]).toBe('[saved_values_match] body.title: expected a string ("Buy oat milk"), the value sent at /body/title, because the note is the one sent, got a string ("BUY OAT MILK")');
    const list = ctx(otp, 'findRecoveryCodes', { expect: { same: { pointer: '/recovery_codes', value: ['a', 'b', 'c'], because: 'the list shows the regenerated codes', origin: { kind: 'saved', name: 'new', step: 'regenerate', identity: null } } }, secret: ['/recovery_codes'] });
    expect(failureLines(CHECKS.saved_values_match(list, json(200, { recovery_codes: ['a', 'x'] }))!)[0]).toBe('[saved_values_match] body.recovery_codes: expected the same 3 items as the 3 values saved as "new" by step regenerate, in any order, because the list shows the regenerated codes, got 2 items: 2 of those expected missing and 1 other');
  });
});

import { test, expect } from '@playwright/test';
import {
  CHECK_RULES,
  MUTANTS,
  MUTANT_NAMES,
  describeMutants,
  findMutant,
  getMutant,
  mutantApplies,
  mutantProfiles,
  type CheckRule,
  type MutantDefinition,
} from '../../src/mock/mutants';
import { PROFILE_NAMES, type ProfileName } from '../../src/mock/profiles';
import { createMockServer } from '../../src/mock/server';
import {
  MAIN,
  RECIPES,
  TOKENS,
  authHeaders,
  codesOf,
  decodedText,
  listCodes,
  mainTotp,
  middleOfStep,
  observeRecipe,
  rawRequest,
  regenerateCodes,
  runRecipe,
  startMock,
  verify,
  type RawResponse,
  type Started,
} from './helpers';

/** A conforming mock per profile, to compare each mutant with. */
const normals = new Map<ProfileName, Started>();

test.beforeAll(async () => {
  for (const profile of PROFILE_NAMES) normals.set(profile, await startMock({ profile }));
});
test.afterAll(async () => {
  await Promise.all([...normals.values()].map((n) => n.mock.close()));
});

function normalFor(profile: ProfileName): Started {
  const n = normals.get(profile);
  if (n === undefined) throw new Error(`no normal mock for ${profile}`);
  n.mock.state.reset();
  return n;
}

/** The contract documents no response header for these operations: nothing for a mutant to break. */
const RULES_WITHOUT_TARGET: readonly CheckRule[] = ['response_headers_conformance'];

test('catalogue: unique kebab-case names, known rules, mutants carry operation, status and rule', () => {
  expect(new Set(MUTANT_NAMES).size).toBe(MUTANTS.length);
  for (const m of MUTANTS) {
    expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(m.description.length).toBeGreaterThan(10);
    // `received` is set only where the broken answer's status differs from the aimed-at one.
    if (m.received !== undefined) expect(m.received, m.name).not.toBe(m.status);
    if (m.kind === 'mutant') {
      expect(m.operationId, m.name).toBeDefined();
      expect(m.status, m.name).toBeDefined();
      expect(CHECK_RULES, m.name).toContain(m.rule);
      // A switch is legal behaviour, and a front answers before any operation: neither can break one rule on one operation.
      expect(m.behaviour.switches, m.name).toBeUndefined();
      expect(m.behaviour.front, m.name).toBeUndefined();
    } else {
      // A conforming variant is scoped to one (operation, status), or by its trigger or front alone, or to nothing.
      expect(m.operationId === undefined, m.name).toBe(m.status === undefined);
      if (m.when !== undefined || m.behaviour.front !== undefined) expect(m.operationId, m.name).toBeUndefined();
      expect(m.rule, m.name).toBeUndefined();
      expect(m.received, m.name).toBeUndefined();
    }
    if (m.profiles !== undefined) {
      expect(m.profiles.length, m.name).toBeGreaterThan(0);
      expect(m.profiles, `${m.name}: known profiles, in catalogue order`).toEqual(PROFILE_NAMES.filter((p) => m.profiles!.includes(p)));
    }
  }
  // Every rule is exercised by at least one mutant.
  for (const rule of CHECK_RULES.filter((r) => !RULES_WITHOUT_TARGET.includes(r))) {
    expect(MUTANTS.some((m) => m.rule === rule), rule).toBe(true);
  }
  expect(MUTANTS.filter((m) => m.kind === 'mutant').length).toBeGreaterThanOrEqual(36);
  expect(MUTANTS.filter((m) => m.kind === 'conforming').length).toBeGreaterThanOrEqual(20);
  expect(findMutant('nope')).toBeUndefined();
  const rows = JSON.parse(JSON.stringify(describeMutants())) as ReturnType<typeof describeMutants>;
  expect(rows).toHaveLength(MUTANTS.length);
  for (const row of rows) {
    const m = getMutant(row.name);
    expect(row.profiles, row.name).toEqual(mutantProfiles(m));
    // What a kill is matched on, spelled out for every mutant.
    expect(row.received, row.name).toBe(m.kind === 'mutant' ? (m.received ?? m.status) : undefined);
  }
});

test('received: input-triggered and status-changing mutants name the status of their broken answer', () => {
  const received = Object.fromEntries(describeMutants().map((r) => [r.name, [r.status, r.received]]));
  expect(received['verify-500-on-long-otp']).toEqual([400, 500]);
  expect(received['verify-500-on-non-ascii-otp']).toEqual([400, 500]);
  expect(received['sms-204-answered-500']).toEqual([204, 500]);
  expect(received['undocumented-delete-succeeds']).toEqual([405, 204]);
  expect(received['verify-405-without-allow']).toEqual([405, 405]);
  // Entries from before `received` existed keep status as what a kill is matched on.
  expect(received['verify-accepts-any-otp']).toEqual([400, 400]);
  expect(received['regenerate-200-answered-201']).toEqual([200, 200]);
});

test('a trigger replaces the (operation, status) scope and needs the request to judge', () => {
  const longOtp = getMutant('verify-500-on-long-otp');
  expect(longOtp.when).toBeDefined();
  // Without the request, the trigger cannot say yes, even on the entry's own (operation, status).
  expect(mutantApplies(longOtp, 'findEnsureOtp', 400)).toBe(false);
  // Entries without a trigger keep their static scope.
  const plain = getMutant('verify-400-answered-403');
  expect(mutantApplies(plain, 'findEnsureOtp', 400)).toBe(true);
  expect(mutantApplies(plain, 'findEnsureOtp', 401)).toBe(false);
  expect(mutantApplies(getMutant('json-charset-utf8'), null, 404)).toBe(true);
});

test('false alarm pinned: a documented status the scenario did not aim at is a conforming variant, not a mutant', () => {
  for (const gone of ['sms-400-answered-422', 'recovery-codes-404-answered-422']) expect(findMutant(gone), gone).toBeUndefined();
  for (const [name, operationId, status] of [
    ['sms-no-phone-answered-422', 'receiveCodes', 400],
    ['no-2fa-codes-answered-422', 'findRecoveryCodes', 404],
  ] as const) {
    const m = getMutant(name);
    expect({ kind: m.kind, operationId: m.operationId, status: m.status, rule: m.rule }).toEqual({ kind: 'conforming', operationId, status, rule: undefined });
    expect(mutantApplies(m, operationId, status)).toBe(true);
    expect(mutantApplies(m, operationId, 401)).toBe(false);
    expect(mutantApplies(m, 'regenerateCodes', status)).toBe(false);
  }
  expect(CHECK_RULES).not.toContain('expected_status');
});

test('an unknown mutant name is a clear error listing the valid names', () => {
  expect(() => createMockServer({ mutant: 'no-such-mutant' })).toThrow(/Unknown mock mutant "no-such-mutant"\. Valid names: .*verify-204-with-json-body/);
  expect(() => getMutant('')).toThrow(/Valid names/);
  // '' means no mutant.
  expect(createMockServer({ mutant: '' }).mutant).toBeNull();
});

const accepted = (res: RawResponse): boolean => res.status >= 200 && res.status < 300;
const sameCodes = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c) => b.includes(c));

/** The listed codes, or a regeneration's when none are left: the suite's flows refill an empty list first. */
async function listOrRefill(s: Started): Promise<string[]> {
  const listed = codesOf(await listCodes(s));
  return listed.length > 0 ? listed : codesOf(await regenerateCodes(s));
}

/**
 * For behavioural mutants whose target cannot be provoked by one stateless
 * request: the steps of the suite's flow, answering whether the rule's
 * failure shows (never on a conforming mock, always on the mutant).
 */
const VIOLATIONS: Record<string, (s: Started) => Promise<boolean>> = {
  'recovery-codes-reusable': async (s) => {
    const [code] = await listOrRefill(s);
    expect(accepted(await verify(s, code!))).toBe(true);
    return accepted(await verify(s, code!));
  },
  // fresh_values: a regeneration returned an empty list or a code from before.
  'regenerate-no-rotation': async (s) => {
    const before = codesOf(await listCodes(s));
    const after = codesOf(await regenerateCodes(s));
    return after.length === 0 || after.some((c) => before.includes(c));
  },
  // saved_values_match: after a regeneration, the listing is not the regenerated codes.
  'recovery-codes-stale-list': async (s) => {
    await listOrRefill(s);
    const regenerated = codesOf(await regenerateCodes(s));
    return !sameCodes(codesOf(await listCodes(s)), regenerated);
  },
  'revoked-codes-still-accepted': async (s) => {
    const [old] = await listOrRefill(s);
    await regenerateCodes(s);
    return accepted(await verify(s, old!));
  },
  // Input-triggered: no recipe of the table carries the input (details: inputs.spec.ts, methods.spec.ts).
  'verify-500-on-long-otp': async (s) => (await verify(s, 'a'.repeat(33))).status === 500,
  'verify-500-on-non-ascii-otp': async (s) => (await verify(s, encodeURIComponent('café'))).status === 500,
  'undocumented-delete-succeeds': async (s) =>
    accepted(await rawRequest(s.port, { method: 'DELETE', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) })),
  'verify-405-without-allow': async (s) => {
    const res = await rawRequest(s.port, { method: 'GET', path: '/metal/v1/user/otp/verify/123456', headers: authHeaders(MAIN) });
    expect(res.status).toBe(405);
    return res.headers['allow'] === undefined;
  },
  // Far outside the ±1 step window on the real clock; details on a fixed clock in totp-window.spec.ts.
  'totp-old-codes-accepted': async (s) => accepted(await verify(s, farTotp(-100))),
  'totp-future-codes-accepted': async (s) => accepted(await verify(s, farTotp(100))),
  // OWASP API1:2023: one user's code verifies another user.
  'recovery-codes-accepted-for-any-user': async (s) => {
    const [mainCode] = await listOrRefill(s);
    return accepted(await verify(s, mainCode!, TOKENS.METAL_AUTH_TOKEN_SMS));
  },
  // list_excludes: the SMS user's list shows codes of the main user.
  'recovery-codes-shown-to-everyone': async (s) => {
    const mainCodes = await listOrRefill(s);
    return codesOf(await listCodes(s, TOKENS.METAL_AUTH_TOKEN_SMS)).some((c) => mainCodes.includes(c));
  },
};

/** The main user's code `steps` 30 s steps from now, checked to differ from every code of the window around now. */
function farTotp(steps: number): string {
  const totp = mainTotp();
  const now = Date.now();
  const code = totp.generate({ timestamp: now + steps * 30_000 });
  const window = [-2, -1, 0, 1, 2].map((d) => totp.generate({ timestamp: now + d * 30_000 }));
  expect(window, 'a far code that is also a code of the window proves nothing').not.toContain(code);
  return code;
}

/** Under `profile`, the mutant changes its target and nothing else. */
async function expectOnlyTargetChanged(m: MutantDefinition, profile: ProfileName): Promise<void> {
  const normal = normalFor(profile);
  const mut = await startMock({ mutant: m.name, profile });
  try {
    // A trigger is the request: no recipe of the table carries it, so every recipe must answer as normal.
    const triggered = m.when !== undefined;
    const target = triggered ? undefined : RECIPES.find((r) => r.op === m.operationId && r.status === m.status);
    if (!triggered) expect(target, 'every mutant without a trigger targets a documented response').toBeDefined();
    // Everything but the target behaves exactly like the normal mock.
    let otherOperationChecked = false;
    for (const r of RECIPES) {
      if (r === target) continue;
      const [want, got] = [await observeRecipe(normal, r), await observeRecipe(mut, r)];
      // The profile answers this recipe with the target status (e.g. 401 for a wrong OTP): the mutant applies.
      if (!triggered && r.op === m.operationId && want.status === m.status) continue;
      expect(got, `${profile}: ${r.op} ${r.status}`).toEqual(want);
      if (r.op !== m.operationId) otherOperationChecked = true;
    }
    expect(otherOperationChecked).toBe(true);
    // The target differs.
    normal.mock.state.reset();
    mut.mock.state.reset();
    const violation = VIOLATIONS[m.name];
    expect(violation !== undefined || !triggered, 'a triggered mutant is shown by a violation').toBe(true);
    if (violation !== undefined) {
      expect(await violation(normal), `${profile}: conforming mock`).toBe(false);
      expect(await violation(mut), `${profile}: mutant`).toBe(true);
    } else if (m.rule === 'transport_error') {
      const got = await observeRecipe(mut, target!, 600);
      expect(got, profile).toEqual({ transportError: expect.any(String) });
    } else {
      const [want, got] = [await observeRecipe(normal, target!), await observeRecipe(mut, target!)];
      expect(got, profile).not.toEqual(want);
      expect(got, profile).not.toHaveProperty('transportError');
    }
    // And the mutant server is still healthy afterwards.
    expect((await rawRequest(mut.port, { path: '/_mock/health' })).status).toBe(200);
  } finally {
    await mut.mock.close();
  }
}

test.describe('each mutant changes only its target (operation, status), under every profile it lists', () => {
  for (const m of MUTANTS.filter((x) => x.kind === 'mutant')) {
    test(`${m.name} (${m.operationId} ${m.status} -> ${m.rule})`, async () => {
      for (const profile of mutantProfiles(m)) await expectOnlyTargetChanged(m, profile);
    });
  }
});

test('target details of representative mutants', async () => {
  const check = async (name: string, fn: (res: RawResponse, s: Started) => void | Promise<void>): Promise<void> => {
    const mut = await startMock({ mutant: name });
    try {
      const m = getMutant(name);
      const r = RECIPES.find((x) => x.op === m.operationId && x.status === m.status)!;
      await fn(await runRecipe(mut, r), mut);
    } finally {
      await mut.mock.close();
    }
  };
  await check('verify-401-no-content-type', (res) => {
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBeUndefined();
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
  });
  await check('verify-204-with-json-body', (res) => {
    expect(res.status).toBe(204);
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
    expect(res.headers['connection']).toBe('close');
  });
  await check('sms-204-with-chunked-body', (res) => {
    expect(res.status).toBe(204);
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });
  await check('recovery-codes-200-truncated-json', (res) => {
    expect(res.status).toBe(200);
    expect(() => JSON.parse(res.text)).toThrow();
  });
  await check('regenerate-200-codes-as-numbers', (res) => {
    const { recovery_codes: codes } = JSON.parse(res.text) as { recovery_codes: unknown[] };
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(typeof c).toBe('number');
  });
  await check('regenerate-422-null-body', (res) => expect(res.text).toBe('null'));
  await check('recovery-codes-auth-ignored', (res) => {
    expect(res.status).toBe(200);
    expect(codesOf(res)).toHaveLength(10);
  });
  await check('sms-500-proxy-html-page', (res) => {
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.text).toContain('<html>');
  });
  await check('sms-204-answered-500', (res) => {
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) });
  });
});

test('the hanging mutant is cleaned up by close()', async () => {
  const mut = await startMock({ mutant: 'sms-500-never-answers' });
  const r = RECIPES.find((x) => x.op === 'receiveCodes' && x.status === 500)!;
  // A client timeout far beyond the test's: only close() can end the request with a socket error first.
  const pending = runRecipe(mut, r, { timeoutMs: 60_000 }).then(
    () => 'answered',
    (error: Error) => error.message,
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  await mut.mock.close();
  expect(await pending).toMatch(/socket hang up|ECONNRESET/);
});

/**
 * Variants the table's recipes cannot show: their trigger is the request (a
 * long request-target, an undocumented method, a burst) or a time step the
 * recipes never leave. Each has its own tests (inputs.spec.ts, methods.spec.ts,
 * totp-window.spec.ts); here they must leave every recipe's answer unchanged.
 */
const SHOWN_ELSEWHERE: ReadonlySet<string> = new Set([
  'totp-current-step-only',
  'proxy-414-long-uri',
  'rate-limited-429',
  'undocumented-method-404',
  'undocumented-method-501',
]);

/** A scoped variant's status where it applies. */
const STATUS_INSTEAD: Record<string, number> = { 'sms-no-phone-answered-422': 422, 'no-2fa-codes-answered-422': 422 };

/** What shows that a conforming variant is active, read off a response it applies to. */
const SIGNATURES: Record<string, (res: RawResponse) => void> = {
  'sms-no-phone-answered-422': (res) => expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) }),
  'no-2fa-codes-answered-422': (res) => expect(JSON.parse(res.text)).toEqual({ error: expect.any(String) }),
  'json-charset-utf8': (res) => expect(res.headers['content-type']).toBe('application/json; charset=utf-8'),
  'json-media-type-odd-case': (res) => expect(res.headers['content-type']).toBe('Application/JSON; Charset="UTF-8"'),
  'extra-response-headers': (res) => {
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['ratelimit-remaining']).toBeDefined();
  },
  'extra-body-properties': (res) => expect(Object.keys(JSON.parse(res.text) as object).length).toBeGreaterThan(1),
  // Under spent-codes the main user's list is empty until the regeneration, which comes after the listing.
  'empty-code-list-omitted': (res) => expect(JSON.parse(res.text)).toEqual({}),
  'error-body-empty-object': (res) => expect(JSON.parse(res.text)).toEqual({}),
  'error-body-errors-only': (res) => expect(JSON.parse(res.text)).toEqual({ errors: [expect.any(String)] }),
  'gzip-content-encoding': (res) => {
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(typeof JSON.parse(decodedText(res))).toBe('object');
  },
  'br-content-encoding': (res) => {
    expect(res.headers['content-encoding']).toBe('br');
    expect(typeof JSON.parse(decodedText(res))).toBe('object');
  },
  'chunked-transfer-encoding': (res) => {
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
  },
  'connection-close': (res) => expect(res.headers['connection']).toBe('close'),
  'json-surrounding-whitespace': (res) => {
    expect(res.text).toMatch(/^\s+\{[\s\S]*\}\s+$/);
    expect(typeof JSON.parse(res.text)).toBe('object');
  },
  // The delay itself is timing; what shows the variant is its plan (no test asserts a wall-clock duration).
  'slow-150ms': () => expect(getMutant('slow-150ms').behaviour.transform!({ status: 200 }, {} as never).delayMs).toBe(150),
};

test.describe('conforming variants keep every status but their scope\'s and show on every response in scope', () => {
  for (const m of MUTANTS.filter((x) => x.kind === 'conforming')) {
    test(m.name, async () => {
      const elsewhere = SHOWN_ELSEWHERE.has(m.name);
      const signature = SIGNATURES[m.name];
      expect(signature !== undefined || elsewhere, 'each conforming variant has a signature check or tests of its own').toBe(true);
      // A fixed clock in the middle of a step: a step boundary between computing and checking a code cannot interfere.
      const at = middleOfStep(30);
      const v = await startMock({ mutant: m.name, profile: m.profiles?.[0] ?? 'default', now: () => at });
      try {
        for (const r of RECIPES) {
          const res = await runRecipe(v, r, { headers: { 'Accept-Encoding': 'gzip, br' } });
          const applies = !elsewhere && mutantApplies(m, r.op, r.status);
          expect(res.status, `${r.op} ${r.status}`).toBe(applies ? (STATUS_INSTEAD[m.name] ?? r.status) : r.status);
          if (r.status === 204) {
            expect(res.body.length).toBe(0);
            expect(res.headers['content-length']).toBeUndefined();
            expect(res.headers['content-type']).toBeUndefined();
          } else {
            if (applies && (r.status !== 200 || !['error-body-empty-object', 'error-body-errors-only'].includes(m.name))) signature!(res);
            const body = JSON.parse(decodedText(res)) as Record<string, unknown>;
            if (r.status === 200 && !(applies && m.name === 'empty-code-list-omitted')) expect(body.recovery_codes).toHaveLength(10);
          }
        }
        // Not accepted: no content coding.
        if (m.name.endsWith('content-encoding')) {
          const plain = await runRecipe(v, RECIPES.find((r) => r.status === 401)!, { headers: { 'Accept-Encoding': 'identity' } });
          expect(plain.headers['content-encoding']).toBeUndefined();
        }
      } finally {
        await v.mock.close();
      }
    });
  }
});

test('the Playwright request client sees the 204-with-body mutants as a 204 with framing headers', async ({ playwright }) => {
  for (const [name, header] of [
    ['verify-204-with-json-body', 'content-length'],
    ['sms-204-with-chunked-body', 'transfer-encoding'],
  ] as const) {
    const mut = await startMock({ mutant: name });
    const m = getMutant(name);
    const r = RECIPES.find((x) => x.op === m.operationId && x.status === m.status)!;
    const ctx = await playwright.request.newContext({ baseURL: `${mut.base}/`, extraHTTPHeaders: authHeaders(r.token) });
    try {
      const res = await ctx.fetch(r.path(mut.mock).slice(1), { method: r.method });
      expect(res.status()).toBe(204);
      expect(res.headers()[header]).toBeDefined();
      // The next request (new connection) is unaffected.
      expect((await ctx.get('user/otp/recovery-codes')).status()).toBe(200);
    } finally {
      await ctx.dispose();
      await mut.mock.close();
    }
  }
});

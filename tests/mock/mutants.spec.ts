import { test, expect } from '@playwright/test';
import { CHECK_RULES, MUTANTS, MUTANT_NAMES, describeMutants, findMutant, getMutant, type MutantDefinition } from '../../src/mock/mutants';
import { createMockServer } from '../../src/mock/server';
import {
  MAIN,
  RECIPES,
  authHeaders,
  decodedText,
  observeRecipe,
  rawRequest,
  runRecipe,
  startMock,
  type RawResponse,
  type Started,
} from './helpers';

let normal: Started;

test.beforeAll(async () => {
  normal = await startMock();
});
test.afterAll(async () => {
  await normal.mock.close();
});

test('catalogue: unique kebab-case names, known rules, mutants carry operation, status and rule', () => {
  expect(new Set(MUTANT_NAMES).size).toBe(MUTANTS.length);
  for (const m of MUTANTS) {
    expect(m.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(m.description.length).toBeGreaterThan(10);
    if (m.kind === 'mutant') {
      expect(m.operationId, m.name).toBeDefined();
      expect(m.status, m.name).toBeDefined();
      expect(CHECK_RULES, m.name).toContain(m.rule);
    } else {
      expect(m.operationId).toBeUndefined();
      expect(m.status).toBeUndefined();
      expect(m.rule).toBeUndefined();
    }
  }
  // Every rule is exercised by at least one mutant.
  for (const rule of CHECK_RULES) expect(MUTANTS.some((m) => m.rule === rule), rule).toBe(true);
  expect(MUTANTS.filter((m) => m.kind === 'mutant').length).toBeGreaterThanOrEqual(29);
  expect(findMutant('nope')).toBeUndefined();
  expect(JSON.parse(JSON.stringify(describeMutants()))).toHaveLength(MUTANTS.length);
});

test('an unknown mutant name is a clear error listing the valid names', () => {
  expect(() => createMockServer({ mutant: 'no-such-mutant' })).toThrow(/Unknown mock mutant "no-such-mutant"\. Valid names: .*verify-204-with-json-body/);
  expect(() => getMutant('')).toThrow(/Valid names/);
  // '' means no mutant.
  expect(createMockServer({ mutant: '' }).mutant).toBeNull();
});

type Codes = { recovery_codes: string[] };
const codesOf = (res: RawResponse): string[] => (JSON.parse(res.text) as Codes).recovery_codes;

/**
 * Scenarios for behavioural mutants whose target response cannot be provoked
 * by one stateless request; each returns a value that differs between the
 * normal mock and the mutant.
 */
const SCENARIOS: Record<string, (s: Started) => Promise<unknown>> = {
  'recovery-codes-reusable': async (s) => {
    const [code] = codesOf(await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) }));
    const verify = () => rawRequest(s.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${code}`, headers: authHeaders(MAIN) });
    return [(await verify()).status, (await verify()).status];
  },
  'regenerate-no-rotation': async (s) => {
    const regen = () => rawRequest(s.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
    const a = codesOf(await regen());
    const b = codesOf(await regen());
    return a.some((c) => b.includes(c));
  },
  'recovery-codes-stale-list': async (s) => {
    const fresh = codesOf(await rawRequest(s.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) }));
    const listed = codesOf(await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) }));
    return JSON.stringify(listed) === JSON.stringify(fresh);
  },
  'revoked-codes-still-accepted': async (s) => {
    const [old] = codesOf(await rawRequest(s.port, { path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) }));
    await rawRequest(s.port, { method: 'POST', path: '/metal/v1/user/otp/recovery-codes', headers: authHeaders(MAIN) });
    return (await rawRequest(s.port, { method: 'POST', path: `/metal/v1/user/otp/verify/${old}`, headers: authHeaders(MAIN) })).status;
  },
};

test.describe('each mutant changes only its target (operation, status)', () => {
  for (const m of MUTANTS.filter((x): x is MutantDefinition & { kind: 'mutant' } => x.kind === 'mutant')) {
    test(`${m.name} (${m.operationId} ${m.status} -> ${m.rule})`, async () => {
      normal.mock.state.reset();
      const mut = await startMock({ mutant: m.name });
      try {
        const target = RECIPES.find((r) => r.op === m.operationId && r.status === m.status);
        expect(target, 'every mutant targets a documented response').toBeDefined();
        // Everything but the target behaves exactly like the normal mock.
        let otherOperationChecked = false;
        for (const r of RECIPES) {
          if (r === target) continue;
          const [want, got] = [await observeRecipe(normal, r), await observeRecipe(mut, r)];
          expect(got, `${r.op} ${r.status}`).toEqual(want);
          if (r.op !== m.operationId) otherOperationChecked = true;
        }
        expect(otherOperationChecked).toBe(true);
        // The target differs.
        const scenario = SCENARIOS[m.name];
        if (scenario !== undefined) {
          normal.mock.state.reset();
          expect(await scenario(mut)).not.toEqual(await scenario(normal));
        } else if (m.rule === 'transport_error') {
          const got = await observeRecipe(mut, target!, 600);
          expect(got).toEqual({ transportError: expect.any(String) });
        } else {
          const [want, got] = [await observeRecipe(normal, target!), await observeRecipe(mut, target!)];
          expect(got).not.toEqual(want);
          expect(got).not.toHaveProperty('transportError');
        }
        // And the mutant server is still healthy afterwards.
        expect((await rawRequest(mut.port, { path: '/_mock/health' })).status).toBe(200);
      } finally {
        await mut.mock.close();
      }
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
    for (const c of codesOf(res) as unknown[]) expect(typeof c).toBe('number');
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
});

test('the hanging mutant is cleaned up by close()', async () => {
  const mut = await startMock({ mutant: 'sms-500-never-answers' });
  const r = RECIPES.find((x) => x.op === 'receiveCodes' && x.status === 500)!;
  const pending = runRecipe(mut, r, { timeoutMs: 10_000 }).then(
    () => 'answered',
    () => 'failed',
  );
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await mut.mock.close();
  expect(await pending).toBe('failed');
  expect(Date.now() - started).toBeLessThan(2000);
});

/** What shows that a conforming variant is active, read off a 401 Error response. */
const SIGNATURES: Record<string, (res: RawResponse) => void> = {
  'json-charset-utf8': (res) => expect(res.headers['content-type']).toBe('application/json; charset=utf-8'),
  'json-media-type-odd-case': (res) => expect(res.headers['content-type']).toBe('Application/JSON; Charset="UTF-8"'),
  'extra-response-headers': (res) => {
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['ratelimit-remaining']).toBeDefined();
  },
  'extra-body-properties': (res) => expect(Object.keys(JSON.parse(res.text) as object).length).toBeGreaterThan(1),
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
  'slow-150ms': (res) => expect(res.ms).toBeGreaterThanOrEqual(140),
};

test.describe('conforming variants keep every status and show on every response', () => {
  for (const m of MUTANTS.filter((x) => x.kind === 'conforming')) {
    test(m.name, async () => {
      const signature = SIGNATURES[m.name];
      expect(signature, 'each conforming variant has a signature check').toBeDefined();
      const v = await startMock({ mutant: m.name });
      try {
        for (const r of RECIPES) {
          const res = await runRecipe(v, r, { headers: { 'Accept-Encoding': 'gzip, br' } });
          expect(res.status, `${r.op} ${r.status}`).toBe(r.status);
          if (r.status === 204) {
            expect(res.body.length).toBe(0);
            expect(res.headers['content-length']).toBeUndefined();
            expect(res.headers['content-type']).toBeUndefined();
          } else {
            if (r.status !== 200 || !['error-body-empty-object', 'error-body-errors-only'].includes(m.name)) signature!(res);
            const body = JSON.parse(decodedText(res)) as Record<string, unknown>;
            if (r.status === 200) expect(body.recovery_codes).toHaveLength(10);
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

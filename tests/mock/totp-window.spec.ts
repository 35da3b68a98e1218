/**
 * Which time steps verify honours: two mutants reaching 24 hours outside the
 * window (RFC 6238 §5.2 recommends at most one step back) and a conforming
 * variant with no window at all. Time comes from the injectable clock, fixed in
 * 2030, so every code (and any collision between codes) is the same on every run.
 */
import { test, expect } from '@playwright/test';
import type { ProfileName } from '../../src/mock/profiles';
import { FAR_TOTP_SECONDS } from '../../src/mock/state';
import { TOKENS, mainTotp, middleOfStep, startMock, verify, type RawResponse, type Started } from './helpers';

const PERIOD_MS = 30_000;
const FAR_STEPS = FAR_TOTP_SECONDS / 30;
const AT = middleOfStep(30);
const totp = mainTotp();
const codeAt = (steps: number, at: number = AT): string => totp.generate({ timestamp: at + steps * PERIOD_MS });

/** Codes of the steps [from, to] around AT. */
function codesOf(from: number, to: number): Set<string> {
  const codes = new Set<string>();
  for (let d = from; d <= to; d++) codes.add(codeAt(d));
  return codes;
}

/** The nearest step beyond `start` (moving by `dir`) whose code is none of `taken`: a code no step in range shares. */
function stepOutside(start: number, dir: 1 | -1, taken: ReadonlySet<string>): number {
  for (let d = start; ; d += dir) if (!taken.has(codeAt(d))) return d;
}

/** The first well-formed code none of `taken` holds. */
function codeOfNoStep(taken: readonly ReadonlySet<string>[]): string {
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (taken.every((t) => !t.has(code))) return code;
  }
}

async function startOnClock(opts: { mutant?: string; profile?: ProfileName }) {
  const clock = { now: AT };
  const s = await startMock({ ...opts, now: () => clock.now });
  return { s, clock };
}

function expectRefused(res: RawResponse, status: number, label: string): void {
  expect(res.status, label).toBe(status);
  expect(JSON.parse(res.text), label).toEqual({ error: expect.any(String) });
}

const main = (s: Started) => s.mock.state.user('METAL_AUTH_TOKEN');

for (const [mutant, dir] of [
  ['totp-old-codes-accepted', -1],
  ['totp-future-codes-accepted', 1],
] as const) {
  const side = dir === -1 ? 'back' : 'ahead';
  test.describe(mutant, () => {
    // Far steps honoured by the mutant; the normal window is -1..+1.
    const far = [2 * dir, 100 * dir, FAR_STEPS * dir];
    const accepted = codesOf(Math.min(-1, FAR_STEPS * dir), Math.max(1, FAR_STEPS * dir));

    test(`codes of steps up to 24 hours ${side} verify; the plain mock refuses them`, async () => {
      const plain = await startOnClock({});
      const mut = await startOnClock({ mutant });
      try {
        const window = codesOf(-1, 1);
        for (const d of far) {
          const code = codeAt(d);
          expect(window.has(code), `step ${d} shares a code with the window`).toBe(false);
          expectRefused(await verify(plain.s, code), 400, `plain, step ${d}`);
          expect((await verify(mut.s, code)).status, `mutant, step ${d}`).toBe(204);
        }
      } finally {
        await Promise.all([plain.s.mock.close(), mut.s.mock.close()]);
      }
    });

    for (const profile of ['default', 'strict'] as const) {
      const refusal = profile === 'strict' ? 401 : 400;
      test(`${profile}: beyond 24 hours, on the other side, and wrong codes are still refused; the window works as before`, async () => {
        const { s } = await startOnClock({ mutant, profile });
        try {
          const beyond = stepOutside((FAR_STEPS + 1) * dir, dir, accepted);
          expectRefused(await verify(s, codeAt(beyond)), refusal, `step ${beyond}, beyond 24 hours`);
          const otherSide = codesOf(-2 * dir, -FAR_STEPS * dir);
          for (const d of [-2 * dir, -100 * dir]) {
            expect(accepted.has(codeAt(d)), `step ${d} shares a code with an accepted step`).toBe(false);
            expectRefused(await verify(s, codeAt(d)), refusal, `step ${d}, the other side`);
          }
          const wrong = codeOfNoStep([accepted, otherSide]);
          expectRefused(await verify(s, wrong), refusal, 'a code of no step');
          for (const d of [-1, 0, 1]) expect((await verify(s, codeAt(d))).status, `window step ${d}`).toBe(204);
          if (profile === 'strict') {
            // Replay protection still holds inside the window (RFC 6238 §5.2)...
            expectRefused(await verify(s, codeAt(0)), 401, 'the current code again');
            // ...but the far check bypasses it: the same far code verifies twice.
            for (let i = 0; i < 2; i++) expect((await verify(s, codeAt(100 * dir))).status, `far code, use ${i + 1}`).toBe(204);
          }
        } finally {
          await s.mock.close();
        }
      });
    }

    test('each step\'s HMAC is computed once: later requests in the step compute none, a new step one more', async () => {
      const { s, clock } = await startOnClock({ mutant });
      try {
        const user = main(s);
        const otp = user.totp!;
        const generate = otp.generate.bind(otp);
        let hmacs = 0;
        otp.generate = (opts) => {
          hmacs++;
          return generate(opts);
        };
        expect((await verify(s, codeAt(100 * dir))).status).toBe(204);
        // The far range is filled once: its steps plus the window's three.
        expect(hmacs).toBeLessThanOrEqual(FAR_STEPS - 1 + 3);
        expect(hmacs).toBeGreaterThan(FAR_STEPS / 2);
        hmacs = 0;
        for (const d of [50, 200, 1000]) expect((await verify(s, codeAt(d * dir))).status).toBe(204);
        expect(hmacs, 'same step: nothing computed').toBe(0);
        // One step later the range slides by one step: the window's three codes and the step that entered.
        clock.now = AT + PERIOD_MS;
        expect((await verify(s, codeAt(100 * dir))).status).toBe(204);
        expect(hmacs).toBeLessThanOrEqual(4);
        if (dir === -1) {
          // The step that left the range (24 hours back from the new now) is refused.
          const stillIn = codesOf(-FAR_STEPS + 1, 2);
          expect(stillIn.has(codeAt(-FAR_STEPS)), 'the step that left shares a code with one still in').toBe(false);
          expectRefused(await verify(s, codeAt(-FAR_STEPS)), 400, 'the step that left');
          // The step that entered (two steps back from the new now) verifies.
          expect((await verify(s, codeAt(-1))).status, 'the step that entered').toBe(204);
        } else {
          // The step that entered (24 hours ahead of the new now) verifies.
          expect((await verify(s, codeAt(FAR_STEPS + 1))).status, 'the step that entered').toBe(204);
        }
      } finally {
        await s.mock.close();
      }
    });
  });
}

test.describe('totp-current-step-only', () => {
  test('only the current step\'s code verifies; the previous and next step\'s get the documented 400 the plain mock would not give', async () => {
    const plain = await startOnClock({});
    const variant = await startOnClock({ mutant: 'totp-current-step-only' });
    try {
      expect((await verify(variant.s, codeAt(0))).status).toBe(204);
      for (const d of [-1, 1]) {
        expect(codeAt(d), `step ${d} shares the current code`).not.toBe(codeAt(0));
        expect((await verify(plain.s, codeAt(d))).status, `plain, step ${d}`).toBe(204);
        // RFC 6238 §5.2 lets the verifier choose its window: refusing is legal, and 400 is documented for verify.
        expectRefused(await verify(variant.s, codeAt(d)), 400, `variant, step ${d}`);
        expect((await verify(variant.s, codeAt(d))).headers['content-type']).toBe('application/json');
      }
      // Time moves on: the code of the step just left is refused, the new step's verifies.
      variant.clock.now = AT + PERIOD_MS;
      expectRefused(await verify(variant.s, codeAt(0)), 400, 'the step just left');
      expect((await verify(variant.s, codeAt(1))).status).toBe(204);
      // Recovery codes and the SMS user's codes are unaffected.
      const sms = variant.s.mock.state.user('METAL_AUTH_TOKEN_SMS');
      expect((await verify(variant.s, variant.s.mock.state.currentTotp(sms), TOKENS.METAL_AUTH_TOKEN_SMS)).status).toBe(204);
      expect((await verify(variant.s, main(variant.s).recoveryCodes[0]!)).status).toBe(204);
    } finally {
      await Promise.all([plain.s.mock.close(), variant.s.mock.close()]);
    }
  });
});

/**
 * Secrets never leak: the suite runs with every output it has (Allure results
 * and HTML, JUnit, JSON, coverage, console), then every file and the console
 * are searched for the exact secret values the run met — known canaries
 * planted in awkward shapes, not the redactor's own pattern.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { createMockServer } from '../../src/mock';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { fixture } from '../helpers';
import { CANARY, startCanaryVault, startSessionIssuer } from '../fixtures/canary/server';
import { runSuite, type SuiteRun } from './run-suite';
import { scanText, scanTree } from './secret-scan';

function scanRun(run: SuiteRun, secrets: string[]): { found: string[]; files: number } {
  const tree = scanTree(run.reportsDir, secrets);
  const console_ = scanText(run.output, secrets, 'console');
  expect(tree.files).toBeGreaterThan(10);
  return { found: [...tree.hits, ...console_].map((h) => `${h.where.replace(run.reportsDir, '<reports>')}: ${h.secret.slice(0, 3)}…`), files: tree.files };
}

function leaks(run: SuiteRun, secrets: string[]): string[] {
  return scanRun(run, secrets).found;
}

test('the scanner finds a secret in plain text, base64, zip payloads, behind \\u escapes and percent-encoding (it can fail)', () => {
  const secret = 'canary-9f8e7d6c5b4a';
  const dir = mkdtempSync(join(tmpdir(), 'scan-'));
  writeFileSync(join(dir, 'plain.txt'), `token ${secret} here`);
  writeFileSync(join(dir, 'report.html'), `d("data/x.json","${Buffer.from(JSON.stringify({ header: `X-Auth-Token: ${secret}`, pad: 'x'.repeat(40) })).toString('base64')}")`);
  const zip = new AdmZip();
  zip.addFile('inner.jsonl', Buffer.from(`{"title":"GET /verify/${secret}"}`));
  writeFileSync(join(dir, 'blob.zip'), zip.toBuffer());
  writeFileSync(join(dir, 'escaped.json'), `{"code": "\\u0063anary-9f8e7d6c5b4a"}`);
  writeFileSync(join(dir, 'encoded.txt'), `GET /verify/canary%2D9f8e7d6c5b4a`);
  expect(scanTree(dir, [secret]).hits.map((h) => h.where.replace(dir, '')).sort()).toHaveLength(5);
  expect(scanText('otp 123456 and 1795644123456 and a123456b', ['123456'])).toHaveLength(1); // boundaries
});

test('canaries in awkward shapes (a query-string key, a secret path value, a secret response header, an escaped code, short groups, a number) appear in no output', async () => {
  const vault = await startCanaryVault();
  try {
    const run = await runSuite({ env: { CONTRACT: fixture('canary/canary.openapi.yaml'), TARGET: 'mock', BASE_URL: vault.baseURL, CANARY_KEY: CANARY.key, CANARY_SLOT: CANARY.slot } });
    // The pin arrives as a number where the contract wants a string: a failure whose wording must not show it.
    expect(run.code, run.output.slice(-2000)).toBe(1);
    expect(run.output).toContain('[response_schema_conformance] body.pin: expected a string, got a number (value masked)');
    expect(run.output).toMatch(/reproduce: curl -sS -i -X GET 'http:\/\/127\.0\.0\.1:\d+\/v1\/vault\/'"\$CANARY_SLOT"'\?key='"\$CANARY_KEY"/);
    const found = leaks(run, [CANARY.key, CANARY.slot, CANARY.escaped, CANARY.grouped, String(CANARY.pin), CANARY.header]);
    expect(found, found.slice(0, 20).join('\n')).toEqual([]);
  } finally {
    await vault.close();
  }
});

test('secret leak: secrets a server invents beyond the contract (X-Session-Token, Set-Cookie lines, a token in Location, access_token in a list, a token in a JSON string in the JSON) appeared in the reports', async () => {
  const issuer = await startSessionIssuer();
  try {
    const run = await runSuite({ env: { CONTRACT: fixture('canary/session.openapi.yaml'), TARGET: 'mock', BASE_URL: issuer.baseURL, ISSUER_KEY: issuer.key } });
    // The contract forbids no extra header, cookie or member: a server that adds them conforms, and the run passes.
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.keys('passed').sort()).toEqual(['flow session-reuse', 'openSession 201', 'openSession 401', 'readGrant 200', 'readGrant 401']);
    // The flow carried an issued token into a later request (a path segment, a query value): those outputs exist.
    expect(issuer.reused).toBeGreaterThan(0);
    expect(issuer.issued.length).toBeGreaterThanOrEqual(2 * 8 + 1);
    const { found, files } = scanRun(run, [issuer.key, ...issuer.issued]);
    expect(found, `${found.length} hits in ${files} files:\n${found.slice(0, 40).join('\n')}`).toEqual([]);
    // The header the recipes exempt is shown: the scan does read the attachments where response headers are.
    expect(scanTree(run.reportsDir, issuer.exempt).hits.length).toBeGreaterThan(0);
  } finally {
    await issuer.close();
  }
});

// The last two accept an expired code and show one user's codes to another: their failures must show neither.
for (const mutant of [undefined, 'recovery-codes-200-comma-joined-string', 'recovery-codes-200-truncated-json', 'totp-old-codes-accepted', 'recovery-codes-shown-to-everyone'] as const) {
  test(`no token, TOTP secret, one-time code or recovery code appears in any output (${mutant ?? 'conforming mock'})`, async () => {
    const mock = createMockServer(mutant ? { mutant } : {});
    const state = mock.state;
    const issued = new Set<string>();
    for (const name of ['METAL_AUTH_TOKEN', 'METAL_AUTH_TOKEN_SMS', 'METAL_AUTH_TOKEN_SMS_NO_PHONE', 'METAL_AUTH_TOKEN_SMS_FAILING'] as const) {
      for (const code of state.listRecoveryCodes(state.user(name))) issued.add(code);
    }
    const regenerate = state.regenerateRecoveryCodes.bind(state);
    state.regenerateRecoveryCodes = (user) => {
      const codes = regenerate(user);
      for (const c of codes) issued.add(c);
      return codes;
    };
    const baseURL = await mock.listen(0);
    const started = Date.now();
    try {
      const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL } });
      // The mutants show recovery codes in shapes the schema rejects: failures and attachments must still mask them.
      expect(run.code, run.output.slice(-2000)).toBe(mutant ? 1 : 0);
      const totp = new TOTP({ secret: Secret.fromBase32(MOCK_IDENTITIES.METAL_OTP_SECRET) });
      const codes = new Set<string>();
      // The codes of every step the run may have sent: now ±1, and the expired and future codes 10 periods away.
      for (let t = started - 330_000; t <= Date.now() + 330_000; t += 30_000) codes.add(totp.generate({ timestamp: t }));
      for (const sms of state.outbox) codes.add(sms.code);
      const secrets = [...Object.values(MOCK_IDENTITIES), ...codes, ...issued];
      expect(issued.size).toBeGreaterThanOrEqual(mutant ? 10 : 30); // fresh codes existed to leak
      const found = leaks(run, secrets);
      expect(found, found.slice(0, 20).join('\n')).toEqual([]);
    } finally {
      await mock.close();
    }
  });
}

test('tracing is refused: Playwright traces would record credentials verbatim', async () => {
  const run = await runSuite({ args: ['--trace', 'on', '--grep', 'findRecoveryCodes 200', '--no-report'] });
  expect(run.code).not.toBe(0);
  expect(run.output).toContain('tracing (--trace on) is refused');
});

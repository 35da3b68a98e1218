/**
 * Secrets never leak: the suite runs with every output enabled (Allure results
 * and HTML, Playwright HTML and blob reports, JUnit, JSON, coverage, console),
 * then every file and the console are searched for every secret the run used.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { expect, test } from '@playwright/test';
import { currentOtp, wrongOtp } from '../../src/engine/totp';
import { createMockServer } from '../../src/mock';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { runSuite } from './run-suite';
import { scanText, scanTree } from './secret-scan';

test('the scanner finds a secret in plain text, base64 and zip payloads (it can fail)', () => {
  const secret = 'canary-9f8e7d6c5b4a';
  const dir = mkdtempSync(join(tmpdir(), 'scan-'));
  writeFileSync(join(dir, 'plain.txt'), `token ${secret} here`);
  writeFileSync(join(dir, 'report.html'), `d("data/x.json","${Buffer.from(JSON.stringify({ header: `X-Auth-Token: ${secret}`, pad: 'x'.repeat(40) })).toString('base64')}")`);
  const zip = new AdmZip();
  zip.addFile('inner.jsonl', Buffer.from(`{"title":"GET /verify/${secret}"}`));
  writeFileSync(join(dir, 'blob.zip'), zip.toBuffer());
  writeFileSync(join(dir, 'index.html'), `data:application/zip;base64,${zip.toBuffer().toString('base64')}`);
  expect(scanTree(dir, [secret]).hits.map((h) => h.where.replace(dir, '')).sort()).toHaveLength(4);
  expect(scanText('otp 123456 and 1795644123456 and a123456b', ['123456'])).toHaveLength(1); // boundaries
});

for (const mutant of [undefined, 'recovery-codes-200-comma-joined-string', 'recovery-codes-200-truncated-json'] as const) {
test(`no token, TOTP secret, OTP or recovery code appears in any output (${mutant ?? 'conforming mock'})`, async () => {
  test.setTimeout(180_000);
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
    const run = await runSuite({ withHtmlReport: true, env: { TARGET: 'mock', BASE_URL: baseURL, PW_HTML_REPORT: '1', BLOB_REPORT: '1' } });
    // The mutants show recovery codes in shapes the schema rejects: failures and attachments must still mask them.
    expect(run.code, run.output.slice(-2000)).toBe(mutant ? 1 : 0);
    const otps = new Set<string>();
    for (let t = started - 90_000; t <= Date.now() + 90_000; t += 30_000) {
      otps.add(currentOtp(MOCK_IDENTITIES.METAL_OTP_SECRET, t));
      otps.add(wrongOtp(MOCK_IDENTITIES.METAL_OTP_SECRET, t));
    }
    for (const sms of state.outbox) otps.add(sms.code);
    const secrets = [...Object.values(MOCK_IDENTITIES), ...otps, ...issued];
    const tree = scanTree(run.reportsDir, secrets);
    const console_ = scanText(run.output, secrets, 'console');
    const hits = [...tree.hits, ...console_].map((h) => `${h.where.replace(run.reportsDir, '<reports>')}: ${h.secret.slice(0, 3)}…`);
    console.log(`secrets canary: ${secrets.length} secrets (${issued.size} recovery codes, ${otps.size} OTPs) searched in ${tree.files} files (${(tree.bytes / 1024).toFixed(0)} KiB) and ${run.output.length} console chars: ${hits.length} hits`);
    expect(issued.size).toBeGreaterThanOrEqual(mutant ? 10 : 30); // fresh codes existed to leak
    expect(tree.files).toBeGreaterThan(20);
    expect(hits, hits.slice(0, 20).join('\n')).toEqual([]);
  } finally {
    await mock.close();
  }
});
}

test('tracing is refused: Playwright traces would record tokens verbatim', async () => {
  const mock = createMockServer();
  const baseURL = await mock.listen(0);
  try {
    const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: baseURL }, args: ['--trace', 'on', '--grep', 'findRecoveryCodes 200'] });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('tracing (--trace on) is refused');
  } finally {
    await mock.close();
  }
});

/**
 * Running against a real server: an independent implementation ("staging",
 * its own tokens and its own legal choices) in a separate process that records
 * what it receives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from '../helpers';
import { runSuite } from './run-suite';
import { STAGING, type Seen } from './staging-tokens';

async function startStaging(env: Record<string, string> = {}): Promise<{ baseURL: string; seen: () => Promise<Seen[]>; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'staging-server.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const baseURL = await new Promise<string>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec(d.toString());
      if (m) ok(m[1]!);
    });
    child.on('exit', (code) => fail(new Error(`staging exited ${code}`)));
  });
  const origin = new URL(baseURL).origin;
  return { baseURL, seen: async () => (await (await fetch(`${origin}/__requests`)).json()) as Seen[], stop: () => child.kill('SIGTERM') };
}

const ALL = {
  METAL_AUTH_TOKEN: STAGING.alice,
  METAL_OTP_SECRET: STAGING.secret,
  METAL_AUTH_TOKEN_NO_2FA: STAGING.bob,
  METAL_AUTH_TOKEN_SMS: STAGING.carol,
  METAL_AUTH_TOKEN_SMS_NO_PHONE: STAGING.dave,
  METAL_AUTH_TOKEN_2FA_PENDING: STAGING.erin,
  METAL_AUTH_TOKEN_SMS_FAILING: STAGING.frank,
};
const FAST = { RATE_LIMIT_RPS: '0' };
const NO_HTML = ['--no-report'];

test('false alarm: a server answering wrong, used and revoked codes with 401 and malformed ones with 400 failed the run; with every identity, writes and STRICT_COVERAGE it passes', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, ...ALL, ALLOW_WRITES: '1', STRICT_COVERAGE: '1', ...FAST }, args: NO_HTML });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    expect(run.keys('passed')).toHaveLength(19);
    expect(run.keys('failed', undefined, ['generated'])).toEqual([]);
    // The report says which input provoked the 400: the malformed one, not the wrong code (which gets 401 here).
    expect(run.cell('findEnsureOtp 400')?.provokedBy).toBe('punctuation');
    expect(run.output).toContain('✓ findEnsureOtp 400 (provoked by: punctuation)');
    expect((await staging.seen()).some((s) => s.method === 'POST' && s.auth === 'valid')).toBe(true);
  } finally {
    staging.stop();
  }
});

test('read-only by default: what the identities allow passes, the rest is skipped with reasons, nothing is written', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_OTP_SECRET: STAGING.secret, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, ...FAST }, args: NO_HTML });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    expect(run.keys('passed').sort()).toEqual(['findRecoveryCodes 200', 'findRecoveryCodes 401', 'findRecoveryCodes 404']);
    expect(run.keys('failed')).toEqual([]);
    expect(run.cell('findRecoveryCodes 422')?.reason).toMatch(/^needs METAL_AUTH_TOKEN_2FA_PENDING/);
    expect(run.cell('regenerateCodes 200')?.reason).toContain('runs only with ALLOW_WRITES=1');
    // Authentication is under test: a server that ignored it would act on an unauthenticated POST.
    expect(run.cell('regenerateCodes 401')?.reason).toBe('sends an unauthenticated POST: runs only with ALLOW_WRITES=1, because a server that ignored authentication would act on it');
    expect(run.cell('flow recovery-code-single-use')?.reason).toContain('ALLOW_WRITES=1');
    // RFC 9110 §9.2.1: only safe methods went out (preflight's probes are GET and OPTIONS), generated requests included.
    const seen = await staging.seen();
    const unsafe = seen.filter((s) => !['GET', 'HEAD', 'OPTIONS'].includes(s.method));
    expect(unsafe).toEqual([]);
    // The generated phases did send: the undocumented safe methods on the verify path, GET and HEAD.
    expect(seen.filter((s) => s.path.startsWith('/metal/v1/user/otp/verify/') && s.auth === 'valid').map((s) => s.method).sort()).toEqual(['GET', 'HEAD']);
    expect(run.cell('findEnsureOtp · coverage')).toMatchObject({ outcome: 'passed' });
    expect(run.cell('findRecoveryCodes · coverage')?.outcome).toBe('passed');
    const verdicts = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; notes?: string[] }> }).verdicts;
    expect(verdicts.find((v) => v.key === 'findRecoveryCodes · coverage')?.notes).toContainEqual('3 generated requests left out: PUT, DELETE, PATCH are not safe methods (RFC 9110 §9.2.1); ALLOW_WRITES=1 sends them');
    expect(run.cell('findEnsureOtp · fuzz')?.reason).toContain('runs only with ALLOW_WRITES=1');
  } finally {
    staging.stop();
  }
});

test('miss: without METAL_OTP_SECRET, findEnsureOtp 400 was skipped whole; the inputs that need no secret are tried, and the one left out is named', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, ALLOW_WRITES: '1', ...FAST }, args: ['--grep', 'findEnsureOtp 400', ...NO_HTML] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.cell('findEnsureOtp 400')).toMatchObject({ outcome: 'passed', provokedBy: 'punctuation' });
    const verdicts = (JSON.parse(readFileSync(join(run.reportsDir, 'results.json'), 'utf8')) as { verdicts: Array<{ key: string; notes?: string[] }> }).verdicts;
    expect(verdicts.find((v) => v.key === 'findEnsureOtp 400')?.notes).toEqual([
      expect.stringMatching(/^certainly-wrong code not tried: needs METAL_OTP_SECRET \(/),
      expect.stringMatching(/^the code of 10 periods ago not tried: needs METAL_OTP_SECRET \(/),
      expect.stringMatching(/^the code of 10 periods ahead not tried: needs METAL_OTP_SECRET \(/),
    ]);
  } finally {
    staging.stop();
  }
});

test('STRICT_COVERAGE=1 turns skipped documented responses into a failed run', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, STRICT_COVERAGE: '1', ...FAST }, args: ['--grep', '@findRecoveryCodes', ...NO_HTML] });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/✗ findRecoveryCodes 404 skipped \(fails under STRICT_COVERAGE=1\): needs METAL_AUTH_TOKEN_NO_2FA/);
  } finally {
    staging.stop();
  }
});

test('SCENARIO_OVERRIDES adapts recipes per target without code changes', async () => {
  const staging = await startStaging();
  const dir = mkdtempSync(join(tmpdir(), 'overrides-'));
  const file = join(dir, 'overrides.yaml');
  writeFileSync(file, 'recipes:\n  receiveCodes 422: { as: METAL_AUTH_TOKEN }\n  receiveCodes 500: { skip: staging cannot make its SMS gateway fail }\n');
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, ALLOW_WRITES: '1', SCENARIO_OVERRIDES: file, ...FAST }, args: ['--grep', '@receiveCodes', ...NO_HTML] });
    expect(run.cell('receiveCodes 422')?.outcome, run.output.slice(-2000)).toBe('passed');
    expect(run.cell('receiveCodes 500')).toMatchObject({ outcome: 'skipped', reason: 'staging cannot make its SMS gateway fail' });
  } finally {
    staging.stop();
  }
});

test('429 answers are retried after Retry-After and the run still passes', async () => {
  const staging = await startStaging({ STAGING_429_EVERY: '3' });
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, ...FAST }, args: ['--grep', '@findRecoveryCodes', ...NO_HTML] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    const seen = await staging.seen();
    const throttled = seen.filter((s) => s.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Every 429 is followed by a retry of the same request that got an answer.
    for (const t of throttled) expect(seen.some((s) => s.at >= t.at && s.path === t.path && s.status !== 429)).toBe(true);
  } finally {
    staging.stop();
  }
});

test('MAX_REQUESTS bounds the requests; what it leaves out is skipped with the reason', async () => {
  const staging = await startStaging();
  try {
    const before = (await staging.seen()).length;
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, MAX_REQUESTS: '3', ...FAST }, args: NO_HTML });
    const sent = (await staging.seen()).slice(before);
    // Preflight's 4 probes (a path that cannot exist, three operations) are outside the budget; the run sends 3:
    // the listing with a valid token, then the 401 recipe without and with an unknown token.
    expect(sent).toHaveLength(4 + 3);
    expect(sent.filter((s) => s.auth !== 'none').map((s) => s.auth)).toEqual(['valid', 'unknown']);
    expect(run.coverage!.cells.some((c) => c.reason?.includes('request budget of 3 is spent (MAX_REQUESTS)'))).toBe(true);
  } finally {
    staging.stop();
  }
});

test('missing required settings stop the run at once, listing what is needed and why', async () => {
  const run = await runSuite({ env: { BASE_URL: 'https://staging.example/metal/v1', REQUEST_TIMEOUT_MS: 'soon' } });
  expect(run.code).not.toBe(0);
  expect(run.output).toContain('REQUEST_TIMEOUT_MS=soon: expected a whole number');
  const missing = await runSuite({ env: { BASE_URL: 'https://staging.example/metal/v1' } });
  expect(missing.output).toContain('METAL_AUTH_TOKEN is required: API token of a user with 2FA through an authenticator app');
  expect(missing.coverage).toBeNull();
});

test('settings can come from a git-ignored env file', async () => {
  const staging = await startStaging();
  const dir = mkdtempSync(join(tmpdir(), 'envfile-'));
  writeFileSync(join(dir, 'staging.env'), `METAL_AUTH_TOKEN=${STAGING.alice}\nMETAL_AUTH_TOKEN_NO_2FA=${STAGING.bob}\nRATE_LIMIT_RPS=0\n`);
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, ENV_FILE: join(dir, 'staging.env') }, args: ['--grep', 'findRecoveryCodes (200|404)', ...NO_HTML] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.keys('passed').sort()).toEqual(['findRecoveryCodes 200', 'findRecoveryCodes 404']);
  } finally {
    staging.stop();
  }
});

test.describe('TLS', () => {
  let certDir: string;
  test.beforeAll(() => {
    certDir = mkdtempSync(join(tmpdir(), 'tls-'));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem')], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
  });
  const env = () => ({ TLS_KEY: join(certDir, 'key.pem'), TLS_CERT: join(certDir, 'cert.pem') });
  const grep = ['--grep', 'findRecoveryCodes 200', ...NO_HTML];

  test('a self-signed certificate is refused up front with the fix named, accepted with INSECURE_TLS=1', async () => {
    const staging = await startStaging(env());
    try {
      const refused = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, ...FAST }, args: grep });
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/the TLS handshake failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN).*set CA_FILE=<ca\.pem>.*INSECURE_TLS=1\. No test was run\./);
      const insecure = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, INSECURE_TLS: '1', ...FAST }, args: grep });
      expect(insecure.code, insecure.output.slice(-1500)).toBe(0);
    } finally {
      staging.stop();
    }
  });

  test('CA_FILE trusts a private CA for the preflight and the requests', async () => {
    const staging = await startStaging(env());
    try {
      const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, CA_FILE: join(certDir, 'cert.pem'), ...FAST }, args: grep });
      expect(run.code, run.output.slice(-1500)).toBe(0);
      expect(run.keys('passed')).toEqual(['findRecoveryCodes 200']);
    } finally {
      staging.stop();
    }
  });
});

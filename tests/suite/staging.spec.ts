/**
 * Running against a real server: an independent implementation ("staging",
 * its own tokens) in a separate process that records what it receives.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  return {
    baseURL,
    seen: async () => (await (await fetch(`${origin}/__requests`)).json()) as Seen[],
    stop: () => child.kill('SIGTERM'),
  };
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

test('read-only by default: what the identities allow passes, the rest is skipped with reasons, nothing is written', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_OTP_SECRET: STAGING.secret, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, ...FAST } });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    const cells = run.coverage!.cells;
    const by = (outcome: string) => cells.filter((c) => c.outcome === outcome).map((c) => `${c.operationId} ${c.status}`).sort();
    expect(by('passed')).toEqual(['findEnsureOtp 401', 'findRecoveryCodes 200', 'findRecoveryCodes 401', 'findRecoveryCodes 404', 'receiveCodes 401', 'regenerateCodes 401']);
    expect(by('failed')).toEqual([]);
    const reason = (key: string) => cells.find((c) => `${c.operationId} ${c.status}` === key)?.reason ?? '';
    expect(reason('findRecoveryCodes 422')).toMatch(/^needs METAL_AUTH_TOKEN_2FA_PENDING/);
    expect(reason('regenerateCodes 200')).toContain('runs only with ALLOW_WRITES=1');
    expect(reason('receiveCodes 204')).toMatch(/needs METAL_AUTH_TOKEN_SMS /);
    expect(cells.filter((c) => c.status === 'flow').map((c) => c.reason)).toEqual([expect.stringContaining('ALLOW_WRITES=1'), expect.stringContaining('ALLOW_WRITES=1')]);
    const writes = (await staging.seen()).filter((s) => s.method !== 'GET' && s.auth === 'valid');
    expect(writes).toEqual([]);
  } finally {
    staging.stop();
  }
});

test('with ALLOW_WRITES=1 and every identity, all 16 documented responses and both flows pass', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, ...ALL, ALLOW_WRITES: '1', STRICT_COVERAGE: '1', ...FAST } });
    expect(run.code, run.output.slice(-2500)).toBe(0);
    expect(run.coverage!.totals).toEqual({ passed: 16, failed: 0, skipped: 0, not_covered: 0 });
    expect(run.coverage!.cells.filter((c) => c.status === 'flow').map((c) => c.outcome)).toEqual(['passed', 'passed']);
    expect((await staging.seen()).some((s) => s.method === 'POST' && s.auth === 'valid')).toBe(true);
  } finally {
    staging.stop();
  }
});

test('STRICT_COVERAGE=1 turns skipped documented responses into a failed run', async () => {
  const staging = await startStaging();
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, STRICT_COVERAGE: '1', ...FAST }, args: ['--grep', '@findRecoveryCodes'] });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('STRICT_COVERAGE: gaps fail the run');
  } finally {
    staging.stop();
  }
});

test('SCENARIO_OVERRIDES adapts recipes per target without code changes', async () => {
  const staging = await startStaging();
  const dir = mkdtempSync(join(tmpdir(), 'overrides-'));
  const file = join(dir, 'overrides.json');
  writeFileSync(file, JSON.stringify({ scenarios: { 'receiveCodes 422': { identity: 'METAL_AUTH_TOKEN' }, 'receiveCodes 500': { skip: 'staging cannot make its SMS gateway fail' } } }));
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, ALLOW_WRITES: '1', SCENARIO_OVERRIDES: file, ...FAST }, args: ['--grep', '@receiveCodes'] });
    const cell = (s: string) => run.coverage!.cells.find((c) => c.operationId === 'receiveCodes' && c.status === s);
    expect(cell('422')?.outcome, run.output.slice(-2000)).toBe('passed');
    expect(cell('500')).toMatchObject({ outcome: 'skipped', reason: 'staging cannot make its SMS gateway fail' });
    writeFileSync(file, JSON.stringify({ scenarios: { 'receiveCodes 422': { identity: 'NOBODY', colour: 'red' } } }));
    const bad = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, SCENARIO_OVERRIDES: file } });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('SCENARIO_OVERRIDES receiveCodes 422: unknown field "colour"');
    expect(bad.output).toContain('SCENARIO_OVERRIDES receiveCodes 422: identity must be one of');
  } finally {
    staging.stop();
  }
});

test('429 answers are retried after Retry-After and the run still passes', async () => {
  const staging = await startStaging({ STAGING_429_EVERY: '3' });
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, ...FAST }, args: ['--grep', '@findRecoveryCodes'] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    const seen = await staging.seen();
    const throttled = seen.filter((s) => s.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Each 429 is followed by a retry no sooner than Retry-After (1 s).
    for (const t of throttled) {
      const retry = seen.find((s) => s.at > t.at && s.path === t.path && s.status !== 429);
      expect(retry!.at - t.at).toBeGreaterThanOrEqual(950);
    }
  } finally {
    staging.stop();
  }
});

test('requests are paced (default 5/s against a real server) and bounded by MAX_REQUESTS', async () => {
  const staging = await startStaging();
  try {
    const paced = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice }, args: ['--grep', '@401'] });
    expect(paced.code, paced.output.slice(-2000)).toBe(0);
    const api = (await staging.seen()).filter((s) => s.path !== '/metal/v1');
    const gaps = api.slice(1).map((s, i) => s.at - api[i]!.at);
    expect(api).toHaveLength(8); // 4 operations x (missing, invalid) credential
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(180);

    const bounded = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, METAL_AUTH_TOKEN_NO_2FA: STAGING.bob, MAX_REQUESTS: '3', ...FAST } });
    const sent = (await staging.seen()).filter((s) => s.path !== '/metal/v1').length - api.length;
    expect(sent).toBe(3);
    expect(bounded.coverage!.cells.some((c) => c.reason?.includes('request budget of 3 is spent (MAX_REQUESTS)'))).toBe(true);
  } finally {
    staging.stop();
  }
});

test('missing required settings stop the run at once, listing what is needed and why', async () => {
  const run = await runSuite({ env: { BASE_URL: 'https://staging.example/metal/v1', REQUEST_TIMEOUT_MS: 'soon' } });
  expect(run.code).not.toBe(0);
  expect(run.output).toContain('METAL_AUTH_TOKEN is required: API token of a user with 2FA through an authenticator app');
  expect(run.output).toContain('REQUEST_TIMEOUT_MS=soon: expected a whole number');
  expect(run.output).not.toContain('passed');
});

test('settings can come from a git-ignored env file', async () => {
  const staging = await startStaging();
  const dir = mkdtempSync(join(tmpdir(), 'envfile-'));
  writeFileSync(join(dir, 'staging.env'), `METAL_AUTH_TOKEN=${STAGING.alice}\nMETAL_AUTH_TOKEN_NO_2FA=${STAGING.bob}\nRATE_LIMIT_RPS=0\n`);
  try {
    const run = await runSuite({ env: { BASE_URL: staging.baseURL, ENV_FILE: join(dir, 'staging.env') }, args: ['--grep', 'findRecoveryCodes (200|404)'] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.coverage!.totals.passed).toBe(2);
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
  const grep = ['--grep', 'findRecoveryCodes 200'];

  test('a self-signed certificate is refused up front, accepted with INSECURE_TLS=1', async () => {
    const staging = await startStaging(env());
    try {
      const refused = await runSuite({ env: { BASE_URL: staging.baseURL, METAL_AUTH_TOKEN: STAGING.alice, ...FAST }, args: grep });
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/is unreachable \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
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
      expect(run.coverage!.totals.passed).toBe(1);
    } finally {
      staging.stop();
    }
  });
});

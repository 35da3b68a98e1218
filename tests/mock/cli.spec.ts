import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { test, expect } from '@playwright/test';
import { MUTANTS, describeMutants, mutantProfiles } from '../../src/mock/mutants';
import { PROFILES } from '../../src/mock/profiles';

const ROOT = path.resolve(__dirname, '../..');
const CLI = ['--import', 'tsx', 'src/mock/cli.ts'];

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['MOCK_PORT', 'MOCK_HOST', 'MOCK_MUTANT', 'MOCK_PROFILE']) if (!(k in extra)) delete e[k];
  return e;
}

test('--list prints the mutants, then the profiles, as tables and exits 0', () => {
  const r = spawnSync(process.execPath, [...CLI, '--list'], { cwd: ROOT, env: env({}), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  const [mutantTable = '', profileTable = '', ...rest] = r.stdout.trimEnd().split('\n\n');
  expect(rest).toEqual([]);
  const mutantLines = mutantTable.split('\n');
  expect(mutantLines[0]).toMatch(/^name\s+kind\s+operationId\s+status\s+received\s+rule\s+profiles\s+description$/);
  expect(mutantLines).toHaveLength(MUTANTS.length + 2);
  const rows = describeMutants();
  for (const m of MUTANTS) {
    const cells = mutantLines.find((l) => l.startsWith(`${m.name} `))?.split(/\s{2,}/);
    expect(cells, m.name).toBeDefined();
    const profiles = mutantProfiles(m).length === PROFILES.length ? 'all' : mutantProfiles(m).join(',');
    const received = rows.find((r) => r.name === m.name)?.received?.toString() ?? '-';
    expect(cells!.slice(0, 7)).toEqual([m.name, m.kind, m.operationId ?? '-', m.status?.toString() ?? '-', received, m.rule ?? '-', profiles]);
  }
  // A mutant whose broken answer differs from the aimed-at status shows both.
  expect(mutantLines.find((l) => l.startsWith('sms-204-answered-500 '))).toMatch(/^sms-204-answered-500\s+mutant\s+receiveCodes\s+204\s+500\s+not_a_server_error\s/);
  const profileLines = profileTable.split('\n');
  expect(profileLines[0]).toMatch(/^profile\s+malformedOtp\s+rejectedOtp\s+totpSingleUse\s+mainUserCodesSpent\s+description$/);
  expect(profileLines).toHaveLength(PROFILES.length + 2);
  for (const p of PROFILES) expect(profileLines.find((l) => l.startsWith(`${p.name} `)), p.name).toContain(p.description);
  expect(profileLines.find((l) => l.startsWith('strict '))).toMatch(/^strict\s+400\s+401\s+true\s+false\s/);
});

/** Starts the CLI, resolves with its first stdout line, and hands back the child. */
function startCli(extra: Record<string, string>) {
  const child = spawn(process.execPath, CLI, { cwd: ROOT, env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve(out.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before listening`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, firstLine, exited, output: () => out };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`MOCK_PORT=0 prints the listening line, serves, and exits 0 on ${signal}`, async () => {
    const cli = startCli({ MOCK_PORT: '0' });
    try {
      const line = await cli.firstLine;
      expect(line).toMatch(/^Mock OTP API listening on http:\/\/127\.0\.0\.1:\d+\/metal\/v1$/);
      const base = line.replace('Mock OTP API listening on ', '');
      const res = await fetch(`${base}/user/otp/recovery-codes`);
      expect(res.status).toBe(401);
      cli.child.kill(signal);
      expect(await cli.exited).toBe(0);
      expect(cli.output().trim().split('\n')).toHaveLength(1);
    } finally {
      cli.child.kill('SIGKILL');
    }
  });
}

test('MOCK_MUTANT is named on the listening line', async () => {
  const cli = startCli({ MOCK_PORT: '0', MOCK_MUTANT: 'regenerate-200-answered-201' });
  try {
    expect(await cli.firstLine).toMatch(/^Mock OTP API listening on http:\/\/127\.0\.0\.1:\d+\/metal\/v1 \(mutant: regenerate-200-answered-201\)$/);
  } finally {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
});

for (const [profile, mutant, suffix] of [
  ['strict', undefined, ' (profile: strict)'],
  ['all-401', 'regenerate-200-answered-201', ' (profile: all-401, mutant: regenerate-200-answered-201)'],
  ['default', undefined, ''],
] as const) {
  test(`MOCK_PROFILE=${profile}${mutant ? ` with MOCK_MUTANT` : ''} is named on the listening line unless default`, async () => {
    const cli = startCli({ MOCK_PORT: '0', MOCK_PROFILE: profile, ...(mutant !== undefined && { MOCK_MUTANT: mutant }) });
    try {
      const line = await cli.firstLine;
      expect(line.replace(/^Mock OTP API listening on http:\/\/127\.0\.0\.1:\d+\/metal\/v1/, '')).toBe(suffix);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
}

test('a port in use: one line naming the port and MOCK_PORT, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = spawnSync(process.execPath, CLI, { cwd: ROOT, env: env({ MOCK_PORT: String(port) }), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Mock OTP API could not listen on 127.0.0.1:${port}: the port is in use. Set MOCK_PORT to a free port (MOCK_PORT=0 picks any free port).\n`,
    );
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});

test('another listen error keeps naming the error', () => {
  // 192.0.2.1 (TEST-NET-1, RFC 5737) is no local address: EADDRNOTAVAIL, not EADDRINUSE.
  const r = spawnSync(process.execPath, CLI, { cwd: ROOT, env: env({ MOCK_PORT: '0', MOCK_HOST: '192.0.2.1' }), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(1);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/^Mock OTP API could not listen on 192\.0\.2\.1:0: listen E[A-Z]+/);
  expect(r.stderr).not.toContain('the port is in use');
});

for (const [name, extra, pattern] of [
  ['bad MOCK_PORT', { MOCK_PORT: 'abc' }, /Invalid MOCK_PORT "abc"/],
  ['out-of-range MOCK_PORT', { MOCK_PORT: '70000' }, /Invalid MOCK_PORT "70000"/],
  ['unknown MOCK_MUTANT', { MOCK_PORT: '0', MOCK_MUTANT: 'nope' }, /Unknown mock mutant "nope"\. Valid names: /],
  ['unknown MOCK_PROFILE', { MOCK_PORT: '0', MOCK_PROFILE: 'nope' }, /^Unknown mock profile "nope"\. Valid names: default, strict, spent-codes, all-401$/m],
] as const) {
  test(`${name}: one-line error, exit 2`, () => {
    const r = spawnSync(process.execPath, CLI, { cwd: ROOT, env: env(extra), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });
}

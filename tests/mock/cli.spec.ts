import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test, expect } from '@playwright/test';
import { MUTANTS } from '../../src/mock/mutants';

const ROOT = path.resolve(__dirname, '../..');
const CLI = ['--import', 'tsx', 'src/mock/cli.ts'];

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['MOCK_PORT', 'MOCK_HOST', 'MOCK_MUTANT']) if (!(k in extra)) delete e[k];
  return e;
}

test('--list prints the catalogue as a table and exits 0', () => {
  const r = spawnSync(process.execPath, [...CLI, '--list'], { cwd: ROOT, env: env({}), encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^name\s+kind\s+operationId\s+status\s+rule\s+description$/);
  expect(lines).toHaveLength(MUTANTS.length + 2);
  for (const m of MUTANTS) {
    const line = lines.find((l) => l.startsWith(`${m.name} `));
    expect(line, m.name).toBeDefined();
    expect(line).toContain(m.kind);
    if (m.rule !== undefined) expect(line).toContain(m.rule);
    if (m.operationId !== undefined) expect(line).toContain(m.operationId);
  }
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

for (const [name, extra, pattern] of [
  ['bad MOCK_PORT', { MOCK_PORT: 'abc' }, /Invalid MOCK_PORT "abc"/],
  ['out-of-range MOCK_PORT', { MOCK_PORT: '70000' }, /Invalid MOCK_PORT "70000"/],
  ['unknown MOCK_MUTANT', { MOCK_PORT: '0', MOCK_MUTANT: 'nope' }, /Unknown mock mutant "nope"\. Valid names: /],
] as const) {
  test(`${name}: one-line error, exit 2`, () => {
    const r = spawnSync(process.execPath, CLI, { cwd: ROOT, env: env(extra), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });
}

/**
 * `npm run bench`: medians over several runs, printed as a table.
 * - conformance run against the embedded mock (mock start included, HTML excluded)
 * - Allure HTML generation
 * - upstream contract (../shared/reference) load + validator compile, in a fresh process
 * - mock throughput and p99 latency under autocannon, beside a bare node:http handler
 *   measured in the same run (compare the ratio: the machine is shared and noisy)
 * BENCH_RUNS (default 5) sets the number of runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { MOCK_IDENTITIES } from '../src/mock/identities';

const root = resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS) || 5;
const upstream = resolve(root, '../shared/reference/metal_openapi.yaml');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function timed(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; code: number | null; out: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env: { ...process.env, CI: '1', ...env }, encoding: 'utf8' });
  return { ms: performance.now() - t, code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function conformance(): Promise<{ runMs: number; htmlMs: number }> {
  const reports = mkdtempSync(join(tmpdir(), 'otp-bench-'));
  const runTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = timed([resolve(root, 'node_modules/@playwright/test/cli.js'), 'test', '--config', 'playwright.config.ts'], { REPORTS_DIR: reports, MOCK_PORT: String(await freePort()) });
    if (r.code !== 0) throw new Error(`conformance run failed:\n${r.out.slice(-2000)}`);
    runTimes.push(r.ms);
  }
  const htmlTimes: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const r = timed([resolve(root, 'node_modules/allure/cli.js'), 'generate', join(reports, 'allure-results'), '--config', 'allurerc.mjs', '--output', join(reports, 'allure-report')]);
    if (r.code !== 0) throw new Error(`allure generate failed:\n${r.out.slice(-2000)}`);
    htmlTimes.push(r.ms);
  }
  return { runMs: median(runTimes), htmlMs: median(htmlTimes) };
}

function upstreamLoad(): { coldMs: number; processMs: number } | null {
  if (!existsSync(upstream)) return null;
  const script = `const {loadContract}=require('./src/contract/load');const {compileValidators}=require('./src/contract/validators');
const t=performance.now();loadContract(${JSON.stringify(upstream)},{tags:['OTPs']}).then(p=>{compileValidators(p);console.log('MS',performance.now()-t)})`;
  const inner: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = timed([resolve(root, 'node_modules/tsx/dist/cli.mjs'), '-e', script]);
    const ms = Number(/MS ([\d.]+)/.exec(r.out)?.[1]);
    if (!Number.isFinite(ms)) throw new Error(`upstream load failed:\n${r.out}`);
    inner.push(ms);
    whole.push(r.ms);
  }
  return { coldMs: median(inner), processMs: median(whole) };
}

interface Load {
  rps: number;
  p99: number;
}

async function startProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, MOCK_PORT: String(port), PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok) => child.stdout!.once('data', () => ok()));
  return { port, stop: () => child.kill('SIGTERM') };
}

async function load(url: string, opts: { method?: 'GET' | 'POST'; headers?: Record<string, string> } = {}): Promise<Load> {
  const r = await autocannon({ url, connections: 16, duration: 4, method: opts.method ?? 'GET', headers: opts.headers ?? {} });
  return { rps: r.requests.average, p99: r.latency.p99 };
}

async function throughput(): Promise<Record<string, Load & { ratio: number }>> {
  const mock = await startProcess(['--import', 'tsx', 'src/mock/cli.ts'], {});
  const bare = await startProcess(['-e', "require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end('{\"recovery_codes\":[]}')}).listen(+process.env.PORT,'127.0.0.1',()=>console.log('up'))"], {});
  const auth = { 'X-Auth-Token': MOCK_IDENTITIES.METAL_AUTH_TOKEN };
  const samples: Record<string, Load[]> = { bare: [], list: [], verify: [] };
  try {
    for (let i = 0; i < Math.min(runs, 3); i++) {
      samples.bare!.push(await load(`http://127.0.0.1:${bare.port}/`));
      samples.list!.push(await load(`http://127.0.0.1:${mock.port}/metal/v1/user/otp/recovery-codes`, { headers: auth }));
      samples.verify!.push(await load(`http://127.0.0.1:${mock.port}/metal/v1/user/otp/verify/000000`, { method: 'POST', headers: auth }));
    }
  } finally {
    mock.stop();
    bare.stop();
  }
  const out: Record<string, Load & { ratio: number }> = {};
  const bareRps = median(samples.bare!.map((s) => s.rps));
  for (const [name, list] of Object.entries(samples)) {
    const rps = median(list.map((s) => s.rps));
    out[name] = { rps, p99: median(list.map((s) => s.p99)), ratio: rps / bareRps };
  }
  return out;
}

async function main(): Promise<void> {
  const rows: Array<[string, string, string]> = [];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  process.stdout.write(`benchmark: medians of ${runs} runs (throughput: ${Math.min(runs, 3)} runs of 4 s, 16 connections)\n`);
  const c = await conformance();
  rows.push(['conformance run vs embedded mock (mock start incl., no HTML)', `${(c.runMs / 1000).toFixed(2)} s`, `< 4 s: ${verdict(c.runMs < 4000)}`]);
  rows.push(['Allure HTML report generation', `${(c.htmlMs / 1000).toFixed(2)} s`, '-']);
  const u = upstreamLoad();
  if (u) {
    rows.push(['upstream contract load + compile (OTPs), fresh process', `${u.coldMs.toFixed(0)} ms`, `< 1 s: ${verdict(u.coldMs < 1000)}`]);
    rows.push(['  same, whole process incl. Node + tsx start', `${u.processMs.toFixed(0)} ms`, '-']);
  } else rows.push(['upstream contract load + compile', `skipped: ${upstream} not found`, '-']);
  const t = await throughput();
  rows.push(['bare node:http handler (baseline)', `${t.bare!.rps.toFixed(0)} req/s, p99 ${t.bare!.p99} ms`, '-']);
  rows.push(['mock GET /user/otp/recovery-codes', `${t.list!.rps.toFixed(0)} req/s, p99 ${t.list!.p99} ms (${(t.list!.ratio * 100).toFixed(0)}% of bare)`, `>= 25,000 req/s, p99 < 5 ms: ${verdict(t.list!.rps >= 25000 && t.list!.p99 < 5)}`]);
  rows.push(['mock POST /user/otp/verify/{otp} (TOTP check)', `${t.verify!.rps.toFixed(0)} req/s, p99 ${t.verify!.p99} ms (${(t.verify!.ratio * 100).toFixed(0)}% of bare)`, '-']);
  const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
  for (const [a, b, d] of rows) process.stdout.write(`${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${d}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});

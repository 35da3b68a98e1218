/**
 * Child processes of the bench: timed runs of node commands, probe scripts that
 * report their own timings, and the environment they all get.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { memorySupported, watchMemory, type MemoryPeak } from './memory';

export const ROOT = resolve(__dirname, '../..');

/** A measurement that could not be taken: the bench stops and exits 1 with this message. */
export class MeasurementError extends Error {
  override name = 'MeasurementError';
}

// Settings the suite and the mock read: an inherited value (a developer's BASE_URL, MOCK_PORT, a staging
// token...) would change what is measured, so children start without them and get only what a row sets.
const SUITE_SETTINGS = new Set([
  'BASE_URL', 'TARGETS', 'TARGET', 'TARGET_NAME', 'REPORTS_DIR', 'CONTRACT', 'RECIPES', 'TAGS', 'SCENARIO_OVERRIDES',
  'ALLOW_WRITES', 'STRICT_COVERAGE', 'RATE_LIMIT_RPS', 'MAX_REQUESTS', 'REQUEST_TIMEOUT_MS', 'CA_FILE', 'INSECURE_TLS', 'WORKERS',
]);
const SUITE_PREFIXES = ['MOCK_', 'METAL_', 'CONTRACT_SUITE_'];

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!SUITE_SETTINGS.has(name) && !SUITE_PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
  }
  // No .env of the checkout may leak in; CI=1 as in the pipeline (forbidOnly, no interactive output).
  return { ...env, ENV_FILE: '/dev/null', CI: '1', ...extra };
}

export interface ChildResult {
  /** Wall time from spawn to the process's exit, in ms. */
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak memory of the child's process tree, when asked for and /proc is there. */
  memory?: MemoryPeak;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Sample the peak memory of the child's process tree (scripts/bench/memory.ts). */
  memory?: boolean;
}

/** Runs `node <args>` in the project root without blocking this event loop (the in-process servers must keep answering). */
export function runNode(args: string[], env: NodeJS.ProcessEnv, options: RunOptions = {}): Promise<ChildResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((done, fail) => {
    const started = performance.now();
    let exitedAt = 0;
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const memory = options.memory && memorySupported && child.pid !== undefined ? watchMemory(child.pid) : null;
    let peak: MemoryPeak | undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new MeasurementError(`node ${args.join(' ')} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    // The clock stops at exit; 'close' (all output read) follows and may lag behind it.
    child.on('exit', () => {
      exitedAt = performance.now();
      peak = memory?.stop();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(new MeasurementError(`node ${args.join(' ')} could not start: ${e.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      peak ??= memory?.stop();
      done({ ms: (exitedAt || performance.now()) - started, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ...(peak ? { memory: peak } : {}) });
    });
  });
}

/** The end of a child's output, for error messages. */
export function tail(r: ChildResult, chars = 1500): string {
  const text = `${r.stdout}${r.stderr}`.trimEnd();
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

/** Runs a command that must succeed; returns its wall time. */
export async function timedNode(what: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  const r = await runNode(args, env);
  if (r.code !== 0) throw new MeasurementError(`${what} exited ${r.code}:\n${tail(r)}`);
  return r;
}

const PROBE_MARK = 'BENCH_RESULT ';

/**
 * Runs a probe script of scripts/bench/probes in a fresh tsx process. Probes time
 * their work from inside and print one line `BENCH_RESULT {"name": ms, ...}`.
 */
export async function runProbe(probe: string, env: NodeJS.ProcessEnv): Promise<Record<string, number>> {
  const r = await timedNode(`probe ${probe}`, ['--import', 'tsx', resolve(__dirname, 'probes', probe)], env);
  const line = r.stdout.split('\n').find((l) => l.startsWith(PROBE_MARK));
  if (!line) throw new MeasurementError(`probe ${probe} printed no result:\n${tail(r)}`);
  return JSON.parse(line.slice(PROBE_MARK.length)) as Record<string, number>;
}

/** What a probe prints (used by the probe scripts themselves). */
export function reportProbe(values: Record<string, number>): void {
  process.stdout.write(`${PROBE_MARK}${JSON.stringify(values)}\n`);
}

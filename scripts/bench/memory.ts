/**
 * Peak memory of a child and everything it starts (a conformance run is the
 * runner plus its worker; Dredd is one process), read from /proc while it runs:
 *   - largest: the highest peak RSS of any one process of the tree (VmHWM, kept by the
 *     kernel, so no peak is missed between samples); what `/usr/bin/time -v` reports;
 *   - tree: the highest sum of the tree's current RSS over the samples (every 10 ms).
 * Shared pages (Node's own binary) count once per process in both, as RSS does.
 * Linux only: elsewhere `supported` is false and nothing is sampled.
 */
import { existsSync, readFileSync } from 'node:fs';

export const MEMORY_SAMPLE_MS = 10;
export const memorySupported = existsSync('/proc/self/status') && existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

export interface MemoryPeak {
  /** Bytes: the highest peak RSS of one process of the tree. */
  largest: number;
  /** Bytes: the highest sum of the tree's RSS at one sample. */
  tree: number;
  /** How many processes (not threads) the tree had over its life. */
  processes: number;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // the process ended between listing and reading
  }
}

function children(pid: number): number[] {
  // Children of every thread: Node starts processes from its main thread, but a child of another thread is still ours.
  const tasks = read(`/proc/${pid}/task/${pid}/children`);
  return tasks ? tasks.trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

function kib(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Samples the tree under `pid` until stop() (call it once the child has exited). */
export function watchMemory(pid: number): { stop(): MemoryPeak } {
  const hwm = new Map<number, number>();
  let tree = 0;
  const sample = (): void => {
    let sum = 0;
    const queue = [pid];
    while (queue.length) {
      const p = queue.pop()!;
      const status = read(`/proc/${p}/status`);
      if (!status) continue;
      sum += kib(status, 'VmRSS');
      hwm.set(p, Math.max(hwm.get(p) ?? 0, kib(status, 'VmHWM')));
      queue.push(...children(p));
    }
    tree = Math.max(tree, sum);
  };
  sample();
  const timer = setInterval(sample, MEMORY_SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return { largest: Math.max(0, ...hwm.values()), tree, processes: hwm.size };
    },
  };
}

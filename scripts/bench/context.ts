/** What the bench's row groups share: the number of runs, servers started once, and scratch directories. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareProcess, startMockProcess, startViolatingServer, type RunningServer } from './servers';

export class BenchContext {
  /** Everything the bench writes (REPORTS_DIR of every run, probe outputs) lives under this one directory. */
  private readonly scratch = mkdtempSync(join(tmpdir(), 'otp-bench-'));
  private readonly started = new Map<string, Promise<RunningServer>>();
  /** allure-results of the latest passing conformance run: input of the HTML-generation probe. */
  passingAllureResults: string | null = null;

  constructor(readonly runs: number) {}

  /** A fresh, empty directory: each run gets its own REPORTS_DIR, so no earlier file can pass for its output. */
  tempDir(label: string): string {
    return mkdtempSync(join(this.scratch, `${label}-`));
  }

  /** Servers start on first use and keep running until close(): one mock for every row that needs one. */
  private once(name: string, start: () => Promise<RunningServer>): Promise<RunningServer> {
    let server = this.started.get(name);
    if (!server) {
      server = start();
      this.started.set(name, server);
    }
    return server;
  }

  mock(): Promise<RunningServer> {
    return this.once('mock', startMockProcess);
  }

  violating(): Promise<RunningServer> {
    return this.once('violating', startViolatingServer);
  }

  bare(): Promise<RunningServer> {
    return this.once('bare', startBareProcess);
  }

  progress(message: string): void {
    process.stderr.write(`  ${message}\n`);
  }

  async close(): Promise<void> {
    const servers = await Promise.allSettled(this.started.values());
    await Promise.allSettled(servers.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** The servers the bench measures against: the mock and a bare handler in their own processes, and a violating server in-process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { MeasurementError, ROOT, childEnv } from './child';

export interface RunningServer {
  /** Where requests go: the mock's API root (…/metal/v1), the bare handler's root. */
  url: string;
  /** scheme://host:port, without any path. */
  origin: string;
  stop(): Promise<void>;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Starts `node <args>` and waits for its "listening on <url>" line; the process runs until stop(). */
function startListeningProcess(what: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunningServer> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new MeasurementError(`${what} printed no "listening on" line within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const url = LISTENING.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      // Keep draining its output so a chatty server never blocks on a full pipe.
      child.stdout!.resume();
      child.stderr!.resume();
      done({ url: url.replace(/\/+$/, ''), origin: new URL(url).origin, stop: () => stopProcess(child) });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new MeasurementError(`${what} exited ${code} before listening:\n${output}`));
    });
  });
}

/** SIGTERM to this one child (the mock's CLI closes and exits 0 on it), by its own handle. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** The mock as a user starts it separately (`npm run mock`), on a free port (MOCK_PORT=0). */
export function startMockProcess(): Promise<RunningServer> {
  return startListeningProcess('the mock (src/mock/cli.ts)', ['--import', 'tsx', resolve(ROOT, 'src/mock/cli.ts')], childEnv({ MOCK_PORT: '0' }));
}

/** The baseline for throughput: node:http with nothing but a constant answer, started like the mock. */
export function startBareProcess(): Promise<RunningServer> {
  return startListeningProcess('the bare node:http handler', ['--import', 'tsx', resolve(__dirname, 'bare-server.ts')], childEnv());
}

/** Gives the separately started mock its initial state (users, codes) back between conformance runs. */
export async function resetMock(mock: RunningServer): Promise<void> {
  const response = await fetch(`${mock.origin}/_mock/reset`, { method: 'POST' });
  await response.arrayBuffer();
  if (response.status !== 200) throw new MeasurementError(`POST ${mock.origin}/_mock/reset answered ${response.status}, not 200`);
}

/**
 * A target that violates every response: 418 text/plain to any request. It passes the
 * suite's preflight (no HTML, no redirect, and not "404 everywhere like an unknown path"),
 * and 418 is documented for no operation, so every cell fails.
 * In-process is enough: it answers a few dozen requests per run, while the bench only waits on its child.
 */
export async function startViolatingServer(): Promise<RunningServer> {
  const body = Buffer.from("I'm a teapot\n");
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(418, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/metal/v1`,
    origin,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

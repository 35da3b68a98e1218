/**
 * Hostile and broken targets: each run must end with the specific verdict,
 * promptly, without crashing the runner.
 */
import { readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer } from '../../src/mock';
import { runSuite } from './run-suite';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A server that answers the preflight (GET /metal/v1) normally and misbehaves on the API paths. */
async function hostile(handler: Handler): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === '/metal/v1' || req.url === '/metal/v1/') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/metal/v1`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

function dirSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    total += st.isDirectory() ? dirSize(p) : st.size;
  }
  return total;
}

const remote = (baseURL: string, extra: Record<string, string> = {}) => ({ TARGET: 'mock', BASE_URL: baseURL, REQUEST_TIMEOUT_MS: '1000', ...extra });

test('target down: one early failure naming the target, no test runs', async () => {
  const baseURL = `http://127.0.0.1:${await closedPort()}/metal/v1`;
  const run = await runSuite({ env: remote(baseURL) });
  console.log(`target down: exit ${run.code} after ${run.durationMs.toFixed(0)} ms`);
  expect(run.code).not.toBe(0);
  expect(run.output).toContain(`Target ${baseURL} is unreachable (ECONNREFUSED`);
  expect(run.output).toContain("no conformance test ran");
  expect(run.durationMs).toBeLessThan(15_000);
});

test('DNS failure: one early failure naming the host', async () => {
  const run = await runSuite({ env: remote('http://no-such-host.invalid/metal/v1') });
  console.log(`DNS failure: exit ${run.code} after ${run.durationMs.toFixed(0)} ms`);
  expect(run.code).not.toBe(0);
  expect(run.output).toMatch(/Target http:\/\/no-such-host\.invalid\/metal\/v1 is unreachable \((ENOTFOUND|EAI_AGAIN)/);
  expect(run.output).toContain("no conformance test ran");
});

test('a server that hangs: a timeout naming the operation, then the run ends', async () => {
  const server = await hostile(() => undefined);
  try {
    const run = await runSuite({ env: remote(server.baseURL, { REQUEST_TIMEOUT_MS: '800' }) });
    console.log(`hanging server: exit ${run.code} after ${run.durationMs.toFixed(0)} ms`);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/\[transport_error\] findEnsureOtp no response: connection: expected an HTTP response, got timeout/);
    expect(run.output).toContain('not run: the target did not answer 3 requests in a row');
    expect(run.durationMs).toBeLessThan(60_000);
  } finally {
    await server.close();
  }
});

test('connection resets are transport errors naming each operation', async () => {
  const server = await hostile((req) => req.socket.destroy());
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', '@findRecoveryCodes'] });
    expect(run.output).toMatch(/\[transport_error\] findRecoveryCodes no response: connection: expected an HTTP response, got connection_reset/);
    expect(run.coverage?.cells.filter((c) => c.operationId === 'findRecoveryCodes').every((c) => c.outcome === 'failed')).toBe(true);
  } finally {
    await server.close();
  }
});

test('an HTML error page from a proxy is an undocumented status with the wrong media type', async () => {
  const server = await hostile((_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>'));
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', '@regenerateCodes'] });
    expect(run.output).toMatch(/\[status_code_conformance\] regenerateCodes 502: status: expected one of 200, 401, 404, 422, got 502/);
  } finally {
    await server.close();
  }
});

test('invalid JSON is a schema violation that shows the parse error', async () => {
  const server = await hostile((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"recovery_codes": ["a",'));
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', 'findRecoveryCodes 200'] });
    expect(run.output).toMatch(/\[response_schema_conformance\] findRecoveryCodes 200: body: expected valid JSON \(RFC 8259\), got .*JSON/);
  } finally {
    await server.close();
  }
});

test('a 10 MB body is reported as the violation with bounded reports', async () => {
  const big = Buffer.alloc(10 * 1024 * 1024, 'a');
  big.write('{"recovery_codes": ["');
  const server = await hostile((_, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) }).end(big));
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', 'findRecoveryCodes 200'] });
    expect(run.output).toMatch(/\[response_schema_conformance\] findRecoveryCodes 200: body: expected valid JSON/);
    const size = dirSize(run.reportsDir);
    console.log(`10 MB body: reports ${(size / 1024).toFixed(0)} KiB, run ${run.durationMs.toFixed(0)} ms`);
    expect(size).toBeLessThan(2 * 1024 * 1024);
  } finally {
    await server.close();
  }
});

test('a wrong base path (every answer 404) is called out', async () => {
  const mock = createMockServer();
  const baseURL = await mock.listen(0);
  try {
    const run = await runSuite({ env: remote(baseURL.replace(/\/metal\/v1$/, '')) });
    expect(run.output).toMatch(/all \d+ responses were 404: is BASE_URL missing the \/metal\/v1 prefix\?/);
    expect(run.code).not.toBe(0);
  } finally {
    await mock.close();
  }
});

test('a base URL with a path prefix keeps it (the mock only serves under /metal/v1)', async () => {
  const mock = createMockServer();
  const baseURL = await mock.listen(0);
  try {
    const run = await runSuite({ env: remote(`${baseURL}/`), args: ['--grep', '@findRecoveryCodes'] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.coverage?.totals.passed).toBe(4);
  } finally {
    await mock.close();
  }
});

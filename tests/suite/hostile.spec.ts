/**
 * Hostile and broken targets: each run must end with the specific verdict and
 * one message naming the fix, without crashing the runner. Durations are
 * printed for the record, never asserted (npm run bench measures them).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { createMockServer } from '../../src/mock';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { runSuite } from './run-suite';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Requests without a credential (preflight probes, 401 recipes) get an ordinary 401; the others meet `handler`. */
async function hostile(handler: Handler): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (!req.headers['x-auth-token']) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/metal/v1`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function plainServer(handler: Handler): Promise<{ baseURL: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
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

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await run();
  console.log(`${label}: ${(performance.now() - started).toFixed(0)} ms`);
  return result;
}

test('target down: one message naming the target and the fix, no test run, nothing counted as passed', async () => {
  const baseURL = `http://127.0.0.1:${await closedPort()}/metal/v1`;
  const run = await timed('target down', () => runSuite({ env: remote(baseURL) }));
  expect(run.code).toBe(1);
  expect(run.output.trim()).toBe(`Target ${baseURL} is unreachable: nothing accepts connections at ${new URL(baseURL).host} (ECONNREFUSED). Start the server, or fix BASE_URL. No test was run.`);
  expect(run.coverage).toBeNull();
});

test('DNS failure: the host name is named as not found', async () => {
  const run = await runSuite({ env: remote('http://no-such-host.invalid/metal/v1') });
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/Target http:\/\/no-such-host\.invalid\/metal\/v1 is unreachable: the host name is not found \((ENOTFOUND|EAI_AGAIN)\)/);
});

test('miss: a BASE_URL without /metal/v1 took 25 s and 648 lines, and "passed" two 404s; now one message names the prefix, nothing passes', async () => {
  const mock = createMockServer();
  const baseURL = (await mock.listen(0)).replace(/\/metal\/v1$/, '');
  try {
    const run = await timed('wrong base path', () => runSuite({ env: remote(baseURL) }));
    expect(run.code).toBe(1);
    expect(run.output.trim()).toBe(
      `Target ${baseURL} answers every operation of the contract with 404, as it answers a path that cannot exist: BASE_URL probably lacks the API prefix /metal/v1 (the contract's server is https://api.equinix.com/metal/v1). Try BASE_URL=${baseURL}/metal/v1. No test was run.`,
    );
    expect(run.coverage).toBeNull();
  } finally {
    await mock.close();
  }
});

test('a login page (HTML) where the API should be is named as not this API', async () => {
  const server = await plainServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Sign in</title></head><body>login</body></html>'));
  try {
    const run = await runSuite({ env: remote(`${server.baseURL}/metal/v1`) });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`serves an HTML page ("Sign in"), not this API (a login page or a web app?): set BASE_URL to the API root (the contract's server is https://api.equinix.com/metal/v1). No test was run.`);
  } finally {
    await server.close();
  }
});

test('a redirect where the API should be names where it leads', async () => {
  const server = await plainServer((_, res) => res.writeHead(302, { location: 'https://sso.example/login' }).end());
  try {
    const run = await runSuite({ env: remote(`${server.baseURL}/metal/v1`) });
    expect(run.code).toBe(1);
    expect(run.output).toContain('redirects (302 to https://sso.example/login) instead of answering the API: set BASE_URL to the API root itself');
  } finally {
    await server.close();
  }
});

test('a server that hangs: a timeout naming the operation, then the rest is not sent', async () => {
  const server = await hostile(() => undefined);
  try {
    const run = await timed('hanging server', () => runSuite({ env: remote(server.baseURL, { REQUEST_TIMEOUT_MS: '800' }), args: ['--no-report'] }));
    expect(run.code).toBe(1);
    expect(run.cell('findEnsureOtp 204')?.failures[0]?.[1]).toMatch(/^\[transport_error\] connection: expected an HTTP response, got no answer in time/);
    expect(run.coverage!.cells.filter((c) => c.reason === 'not run: the target did not answer 3 requests in a row').length).toBeGreaterThan(5);
  } finally {
    await server.close();
  }
});

test('miss: cells of a run stopped from outside (--global-timeout) vanished from the report as "filtered"; they fail as not judged, in every output', async () => {
  const server = await hostile(() => undefined);
  try {
    const run = await runSuite({ env: remote(server.baseURL, { REQUEST_TIMEOUT_MS: '60000' }), args: ['--global-timeout=3000', '--grep', '@findRecoveryCodes'] });
    expect(run.code).toBe(1);
    const unjudged = run.coverage!.cells.filter((c) => c.outcome !== 'filtered');
    // The operation's 4 documented responses, the 3 flows that call it and its 2 generated phases.
    expect(unjudged.map((c) => c.outcome)).toEqual(Array(9).fill('failed'));
    for (const c of unjudged) expect(c.reason).toBe('not judged: the run reached its --global-timeout before this cell');
    expect(run.output).toMatch(/4 documented responses: 0 passed, 4 failed · 3 flows: 0 passed, 3 failed · 2 generated phases: 0 passed, 2 failed/);
    // The HTML report lists them too, saying why.
    const allure = readdirSync(join(run.reportsDir, 'allure-results')).filter((f) => f.endsWith('-result.json')).map((f) => readFileSync(join(run.reportsDir, 'allure-results', f), 'utf8'));
    expect(allure.filter((r) => r.includes('not judged: the run reached its --global-timeout'))).toHaveLength(9);
  } finally {
    await server.close();
  }
});

test('connection resets are transport errors naming each operation', async () => {
  const server = await hostile((req) => req.socket.destroy());
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', 'findRecoveryCodes 200', '--no-report'] });
    expect(run.cell('findRecoveryCodes 200')?.failures[0]?.[1]).toMatch(/^\[transport_error\] connection: expected an HTTP response, got connection reset/);
  } finally {
    await server.close();
  }
});

test('a proxy\'s HTML 502 page is a server error, its undocumented status folded under it', async () => {
  const server = await hostile((_, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>'));
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', 'regenerateCodes 200', '--no-report'] });
    // A 5xx says the server failed (RFC 9110 §15.6): the cause; the undocumented status is its consequence.
    expect(run.cell('regenerateCodes 200')?.failures).toEqual([
      ['regenerateCodes 200: 502 arrived', '[not_a_server_error] status: expected no server error (a 5xx says the server failed, RFC 9110 §15.6); the request aims at 200, got 502', '  the same response also broke status_code_conformance: status: expected a documented status (200, 401, 404 or 422), got 502'],
    ]);
  } finally {
    await server.close();
  }
});

test('invalid JSON is a schema violation that shows the parse error', async () => {
  const server = await hostile((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"recovery_codes": ["a",'));
  try {
    const run = await runSuite({ env: remote(server.baseURL), args: ['--grep', 'findRecoveryCodes 200', '--no-report'] });
    expect(run.cell('findRecoveryCodes 200')?.failures[0]?.[1]).toMatch(/^\[response_schema_conformance\] body: expected a JSON document \(RFC 8259\), got text that is not JSON/);
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
    expect(run.cell('findRecoveryCodes 200')?.failures[0]?.[1]).toMatch(/^\[response_schema_conformance\] body: expected a JSON document/);
    const size = dirSize(run.reportsDir);
    console.log(`10 MB body: reports ${(size / 1024).toFixed(0)} KiB`);
    expect(size).toBeLessThan(6 * 1024 * 1024); // the HTML report itself is about 3.7 MB
  } finally {
    await server.close();
  }
});

test('a base URL with a trailing slash keeps its path prefix (the mock only serves under /metal/v1)', async () => {
  const mock = createMockServer();
  const baseURL = await mock.listen(0);
  try {
    const run = await runSuite({ env: remote(`${baseURL}/`, { METAL_AUTH_TOKEN: MOCK_IDENTITIES.METAL_AUTH_TOKEN }), args: ['--grep', '@findRecoveryCodes', '--no-report'] });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.keys('passed')).toContain('findRecoveryCodes 200');
  } finally {
    await mock.close();
  }
});

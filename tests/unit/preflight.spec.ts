/** Preflight diagnoses: each wrong target is named, and no legal API is mistaken for one. */
import http from 'node:http';
import type net from 'node:net';
import { expect, test } from '@playwright/test';
import { preflight, type Diagnosis } from '../../src/settings/preflight';
import { loaded, type Loaded } from '../helpers';

let otp: Loaded;
test.beforeAll(async () => {
  otp = await loaded();
});

const JSON_401 = (res: http.ServerResponse) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
const HTML = (status: number) => (res: http.ServerResponse) => res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><head><title>Error ${status}</title></head></html>`);

async function diagnose(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Diagnosis['kind']> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/metal/v1`;
  try {
    const ops = new Set(otp.plan.operations.map((o) => o.operationId));
    return (await preflight(base, otp.plan, ops, { ignoreHttpsErrors: false, caFile: null, timeoutMs: 5000 })).kind;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

const known = (req: http.IncomingMessage) => (req.url ?? '').startsWith('/metal/v1/user/otp/');

test('false alarm: an API answering OPTIONS and unknown paths with HTML error pages was called "not this API"', async () => {
  expect(await diagnose((req, res) => (!known(req) ? HTML(404)(res) : req.method === 'OPTIONS' ? HTML(405)(res) : JSON_401(res)))).toBe('ok');
});

test('false alarm: one probe cut off by a server that answers the others was called unreachable', async () => {
  expect(await diagnose((req, res) => (req.method === 'OPTIONS' ? req.socket.destroy() : known(req) ? JSON_401(res) : HTML(404)(res)))).toBe('ok');
});

test('a web app where the API should be is still named: HTML to the operations read with GET, or 2xx HTML for a made-up path', async () => {
  expect(await diagnose((_req, res) => HTML(200)(res))).toBe('html');
  expect(await diagnose((req, res) => (req.method === 'GET' ? HTML(403)(res) : JSON_401(res)))).toBe('html');
});

test('a server that cuts every connection is unreachable; a redirect everywhere is a redirect', async () => {
  expect(await diagnose((req) => req.socket.destroy())).toBe('unreachable');
  expect(await diagnose((_req, res) => res.writeHead(302, { location: 'https://sso.example/login' }).end())).toBe('redirect');
});

/**
 * The mock under fire: >= 10,000 malformed and hostile requests over raw
 * sockets, with slow clients and many connections at once. Every answer is a
 * JSON error (or a closed connection for bytes that are not HTTP), the process
 * survives with bounded memory, and the full conformance suite still passes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { ROOT } from '../helpers';
import { runSuite } from './run-suite';

const TOKEN = MOCK_IDENTITIES.METAL_AUTH_TOKEN;
const P = '/metal/v1/user/otp';

/** Each attack is a raw request; all ask the server to close afterwards. */
const ATTACKS: Array<{ name: string; bytes: () => Buffer }> = [
  { name: 'unknown method', bytes: () => req(`BREW ${P}/recovery-codes`) },
  { name: 'wrong method', bytes: () => req(`DELETE ${P}/recovery-codes`) },
  { name: 'not HTTP at all', bytes: () => Buffer.from('\x00\x01\x02 hello\r\n\r\n') },
  { name: 'bad HTTP version', bytes: () => Buffer.from(`GET ${P}/recovery-codes HTTP/7.1\r\nHost: x\r\n\r\n`) },
  { name: 'oversized header (20 KiB)', bytes: () => req(`GET ${P}/recovery-codes`, [`X-Big: ${'a'.repeat(20 * 1024)}`]) },
  { name: '2,000 headers', bytes: () => req(`GET ${P}/recovery-codes`, Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`)) },
  { name: 'oversized body (200 KiB)', bytes: () => req(`POST ${P}/sms/receive`, [`X-Auth-Token: ${TOKEN}`, 'Content-Length: 204800'], Buffer.alloc(204800, 'x')) },
  { name: 'bad chunked body', bytes: () => req(`POST ${P}/sms/receive`, ['Transfer-Encoding: chunked'], Buffer.from('zz\r\nnope\r\n0\r\n\r\n')) },
  { name: 'invalid percent-encoding', bytes: () => req(`POST ${P}/verify/%zz%`) },
  { name: 'invalid UTF-8', bytes: () => req(`POST ${P}/verify/%C3%28%FF`) },
  { name: 'path traversal', bytes: () => req(`GET ${P}/../../../etc/passwd`) },
  { name: 'encoded traversal', bytes: () => req(`GET ${P}/verify/..%2f..%2f..%2fetc%2fpasswd`) },
  { name: 'very long OTP (8 KiB)', bytes: () => req(`POST ${P}/verify/${'9'.repeat(8192)}`, [`X-Auth-Token: ${TOKEN}`]) },
  { name: 'unknown token', bytes: () => req(`GET ${P}/recovery-codes`, ['X-Auth-Token: forged']) },
  { name: 'unknown path', bytes: () => req('GET /metal/v1/user/otp/nothing-here') },
];

function req(line: string, headers: string[] = [], body?: Buffer): Buffer {
  const head = `${line} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

interface Answer {
  status: number | 'closed';
  json: boolean;
}

function fire(port: number, bytes: Buffer, timeoutMs = 5000): Promise<Answer> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      done({ status: status ? Number(status) : 'closed', json: /\r\ncontent-type: application\/json/i.test(text) });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

/** A client that sends its request head one byte every 100 ms. */
function slowClient(port: number, ms: number): Promise<void> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    const bytes = req(`GET ${P}/recovery-codes`);
    let i = 0;
    const timer = setInterval(() => (i < bytes.length ? socket.write(bytes.subarray(i, ++i)) : undefined), 100);
    const stop = () => {
      clearInterval(timer);
      socket.destroy();
      done();
    };
    setTimeout(stop, ms);
    socket.on('error', stop);
  });
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

async function startMock(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/mock/cli.ts')], { cwd: ROOT, env: { ...process.env, MOCK_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (code) => fail(new Error(`mock exited with ${code}`)));
  });
  return { child, port };
}

test('10,000+ hostile requests: JSON errors, no crash, bounded memory, then a clean conformance run', async () => {
  test.setTimeout(240_000);
  const { child, port } = await startMock();
  try {
    const rssBefore = rssKiB(child.pid!);
    const counts = new Map<string, number>();
    const nonJson: string[] = [];
    const total = 10_500;
    const concurrency = 64;
    let next = 0;
    const started = performance.now();
    const slow = Array.from({ length: 20 }, () => slowClient(port, 3000));
    const worker = async () => {
      while (next < total) {
        const attack = ATTACKS[next++ % ATTACKS.length]!;
        const answer = await fire(port, attack.bytes());
        const key = `${attack.name} -> ${answer.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (answer.status !== 'closed' && !answer.json && nonJson.length < 5) nonJson.push(key);
      }
    };
    await Promise.all([...Array.from({ length: concurrency }, worker), ...slow]);
    const seconds = (performance.now() - started) / 1000;
    const rssAfter = rssKiB(child.pid!);
    const table = [...counts.entries()].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n');
    console.log(`mock stress: ${total} hostile requests + 20 slow clients in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} req/s), ${concurrency} concurrent connections\n${table}\n  RSS before ${(rssBefore / 1024).toFixed(1)} MiB, after ${(rssAfter / 1024).toFixed(1)} MiB`);
    expect(child.exitCode).toBeNull(); // still running
    expect(nonJson).toEqual([]);
    // Every request that the HTTP parser can read gets a status; only bytes that are not HTTP may see a bare close.
    const closedOnValidHttp = [...counts.keys()].filter((k) => k.endsWith('-> closed') && !k.startsWith('not HTTP'));
    expect(closedOnValidHttp).toEqual([]);
    expect(rssAfter - rssBefore).toBeLessThan(100 * 1024);

    const run = await runSuite({ env: { TARGET: 'mock', BASE_URL: `http://127.0.0.1:${port}/metal/v1` } });
    expect(run.code, run.output.slice(-2000)).toBe(0);
    expect(run.keys('passed')).toHaveLength(19); // 16 documented responses and 3 flows
  } finally {
    child.kill('SIGTERM');
  }
});

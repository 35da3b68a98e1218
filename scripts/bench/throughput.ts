/**
 * Row 6: throughput and p99 latency of the mock under autocannon, beside a bare
 * node:http handler measured in the same bench run. Both servers run in their own
 * process; autocannon runs here, so client and server do not share an event loop.
 */
import autocannon from 'autocannon';
import { MOCK_IDENTITIES } from '../../src/mock/identities';
import { MeasurementError } from './child';
import type { BenchContext } from './context';
import { resetMock } from './servers';
import { Samples, type Stat } from './stats';

export const CONNECTIONS = 16;
export const DURATION_S = 4;
export const THROUGHPUT_RUNS = 3;
/** Untimed load before the runs, so the first run does not carry the JIT's warm-up. */
const WARMUP_S = 1;

interface Endpoint {
  name: 'bare' | 'list' | 'verify';
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Every response must have this status, or the figure would measure something else (an auth failure, a 404). */
  accept: (status: number) => boolean;
  expected: string;
}

export interface LoadFigures {
  rps: Stat;
  p99: Stat;
}

export type Throughput = Record<Endpoint['name'], LoadFigures>;

async function endpoints(ctx: BenchContext): Promise<Endpoint[]> {
  const [mock, bare] = await Promise.all([ctx.mock(), ctx.bare()]);
  await resetMock(mock);
  const auth = { 'X-Auth-Token': MOCK_IDENTITIES.METAL_AUTH_TOKEN };
  return [
    { name: 'bare', url: `${bare.url}/`, method: 'GET', headers: {}, accept: (s) => s === 200, expected: '200' },
    { name: 'list', url: `${mock.url}/user/otp/recovery-codes`, method: 'GET', headers: auth, accept: (s) => s === 200, expected: '200' },
    // 000000 is (almost surely) a wrong OTP: the figure is the TOTP check and the rejection; 401 would mean the token was refused.
    { name: 'verify', url: `${mock.url}/user/otp/verify/000000`, method: 'POST', headers: auth, accept: (s) => s >= 400 && s < 500 && s !== 401, expected: 'a 4xx rejection (not 401)' },
  ];
}

async function load(endpoint: Endpoint, duration: number): Promise<{ rps: number; p99: number }> {
  const result = await autocannon({ url: endpoint.url, method: endpoint.method, headers: endpoint.headers, connections: CONNECTIONS, duration });
  const statuses = Object.keys(result.statusCodeStats ?? {}).map(Number);
  if (result.errors > 0 || result.timeouts > 0) throw new MeasurementError(`autocannon ${endpoint.method} ${endpoint.url}: ${result.errors} errors, ${result.timeouts} timeouts`);
  if (result.requests.total === 0 || !statuses.every(endpoint.accept)) {
    throw new MeasurementError(`autocannon ${endpoint.method} ${endpoint.url}: statuses ${statuses.join(', ') || 'none'}, expected ${endpoint.expected}`);
  }
  return { rps: result.requests.average, p99: result.latency.p99 };
}

export async function measureThroughput(ctx: BenchContext): Promise<Throughput> {
  const targets = await endpoints(ctx);
  for (const endpoint of targets) await load(endpoint, WARMUP_S);
  const samples = new Samples();
  // Rounds of bare, list, verify: a busy moment of the machine hits the baseline and the mock alike.
  for (let i = 1; i <= THROUGHPUT_RUNS; i++) {
    for (const endpoint of targets) {
      const figures = await load(endpoint, DURATION_S);
      samples.add(`${endpoint.name}.rps`, figures.rps);
      samples.add(`${endpoint.name}.p99`, figures.p99);
    }
    ctx.progress(`throughput ${i}/${THROUGHPUT_RUNS} done`);
  }
  const figures = (name: Endpoint['name']): LoadFigures => ({ rps: samples.stat(`${name}.rps`), p99: samples.stat(`${name}.p99`) });
  return { bare: figures('bare'), list: figures('list'), verify: figures('verify') };
}

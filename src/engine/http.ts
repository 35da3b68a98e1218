/**
 * One HTTP exchange through Playwright's APIRequestContext, recorded as an
 * Exchange. Never throws for transport problems: they become Exchange.error.
 */
import type { APIRequestContext } from '@playwright/test';
import { bodilessBecause } from '../checks/http';
import { isSafeMethod } from '../contract/model';
import type { Exchange, Header, RequestRecord, TransportError } from '../checks/types';
import { rawReplay } from './raw-replay';

export interface SendPolicy {
  requestTimeoutMs: number;
  rateLimitPerSecond: number;
  maxRequests: number;
  ignoreHttpsErrors: boolean;
  /** Retries of a 429 (RFC 6585 §4), each after Retry-After. */
  maxRetriesOn429?: number;
}

/** Longest total Retry-After wait for one call; test timeouts allow for it. */
export const MAX_RETRY_WAIT_MS = 30_000;

/** Consecutive timeouts after which a target is treated as hung and no more requests are sent. */
export const HUNG_AFTER_TIMEOUTS = 3;

/** Time as the gate and retries see it: injectable, so their behaviour is tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Pacing, request budget and hung-target breaker for one target. */
export class RequestGate {
  private nextSlot = 0;
  private sent = 0;
  private consecutiveTimeouts = 0;

  constructor(
    private readonly policy: Pick<SendPolicy, 'rateLimitPerSecond' | 'maxRequests'>,
    readonly clock: Clock = REAL_CLOCK,
  ) {}

  get count(): number {
    return this.sent;
  }

  get exhausted(): boolean {
    return this.policy.maxRequests > 0 && this.sent >= this.policy.maxRequests;
  }

  /** Resolves when a request may go; false once the budget is spent. */
  async acquire(): Promise<boolean> {
    if (this.exhausted) return false;
    this.sent++;
    if (this.policy.rateLimitPerSecond > 0) {
      const now = this.clock.now();
      const slot = Math.max(now, this.nextSlot);
      this.nextSlot = slot + 1000 / this.policy.rateLimitPerSecond;
      if (slot > now) await this.clock.sleep(slot - now);
    }
    return true;
  }

  /** A target that timed out HUNG_AFTER_TIMEOUTS times in a row gets no more requests: the run ends instead of waiting once per request. */
  get hung(): boolean {
    return this.consecutiveTimeouts >= HUNG_AFTER_TIMEOUTS;
  }

  observe(error: TransportError | null): void {
    this.consecutiveTimeouts = error?.kind === 'timeout' ? this.consecutiveTimeouts + 1 : 0;
  }
}

/** RFC 9110 §5.3: field lines with one name combine into one comma-separated value. */
function headerObject(headers: Header[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) {
    const existing = Object.keys(out).find((k) => k.toLowerCase() === h.name.toLowerCase());
    if (existing) out[existing] = `${out[existing]}, ${h.value}`;
    else out[h.name] = h.value;
  }
  return out;
}

export function classifyTransportError(message: string): TransportError {
  const text = message.split('\n')[0]!.replace(/^apiRequestContext\.\w+:\s*/, '');
  const kind: TransportError['kind'] = /timeout|timed out/i.test(text)
    ? 'timeout'
    : /ECONNREFUSED/.test(text)
      ? 'connection_refused'
      : /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(text)
        ? 'dns'
        : /ECONNRESET|socket hang up|EPIPE|other side closed/i.test(text)
          ? 'connection_reset'
          : /certificate|SSL|TLS|self.signed/i.test(text)
            ? 'tls'
            : /HPE_|Parse Error|invalid header|Expected HTTP|Data after/i.test(text)
              ? 'protocol'
              : 'other';
  return { kind, message: text };
}

/** RFC 9110 §10.2.3: Retry-After is delay-seconds or an HTTP-date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number {
  if (!value) return 1000;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1000 : Math.max(0, date - now);
}

export async function send(
  request: APIRequestContext,
  gate: RequestGate,
  policy: SendPolicy,
  record: RequestRecord,
): Promise<Exchange> {
  // The time of the answer that is judged: pacing and Retry-After waits before it are the client's, not the server's.
  let started = performance.now();
  const retries = policy.maxRetriesOn429 ?? 3;
  let waited = 0;
  for (let attempt = 0; ; attempt++) {
    if (gate.hung) {
      return {
        request: record,
        response: null,
        error: { kind: 'timeout', message: `not sent: the target did not answer ${HUNG_AFTER_TIMEOUTS} requests in a row within ${policy.requestTimeoutMs} ms` },
        durationMs: 0,
      };
    }
    if (!(await gate.acquire())) {
      return {
        request: record,
        response: null,
        error: { kind: 'budget', message: `request budget of ${policy.maxRequests} spent (MAX_REQUESTS)` },
        durationMs: 0,
      };
    }
    try {
      started = performance.now();
      const response = await request.fetch(record.url, {
        method: record.method,
        headers: headerObject(record.headers),
        ...(record.body !== undefined ? { data: record.body } : {}),
        timeout: policy.requestTimeoutMs,
        maxRedirects: 0,
        failOnStatusCode: false,
        ignoreHTTPSErrors: policy.ignoreHttpsErrors,
      });
      const headers = response.headersArray();
      if (response.status() === 429 && attempt < retries) {
        const wait = retryAfterMs(headers.find((h) => h.name.toLowerCase() === 'retry-after')?.value);
        // Past MAX_RETRY_WAIT_MS in all, the 429 itself is the verdict (an undocumented status), not a stalled run.
        if (waited + wait <= MAX_RETRY_WAIT_MS) {
          waited += wait;
          await response.dispose();
          await gate.clock.sleep(wait);
          continue;
        }
      }
      const body = await response.body();
      await response.dispose();
      gate.observe(null);
      return {
        request: record,
        response: { status: response.status(), statusText: response.statusText(), headers, body },
        error: null,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      const transport = classifyTransportError((error as Error).message);
      gate.observe(transport);
      const failed: Exchange = { request: record, response: null, error: transport, durationMs: performance.now() - started };
      return transport.kind === 'protocol' ? diagnoseFraming(failed, policy, gate) : failed;
    }
  }
}

/**
 * A framing error on a response that must be bodiless is, in fact, content where
 * none may be: replay once over a raw socket and hand the checks what arrived.
 */
async function diagnoseFraming(failed: Exchange, policy: SendPolicy, gate: RequestGate): Promise<Exchange> {
  // Only a safe method may be sent twice (RFC 9110 §9.2.1): a replayed POST would act a second time.
  if (!isSafeMethod(failed.request.method)) {
    return { ...failed, error: { ...failed.error!, message: `${failed.error!.message} (a bodiless 204/304 that carries content fails exactly so; not replayed: ${failed.request.method} is not a safe method)` } };
  }
  if (!(await gate.acquire())) return failed;
  const raw = await rawReplay(failed.request, policy.requestTimeoutMs, !policy.ignoreHttpsErrors);
  if (!raw) return failed;
  const note = `raw replay after "${failed.error!.message}": HTTP ${raw.status}, ${raw.trailing.length} bytes after the header section`;
  if (bodilessBecause(failed.request.method, raw.status) === null || raw.trailing.length === 0) return { ...failed, error: { ...failed.error!, message: `${failed.error!.message} (${note})` } };
  return { ...failed, response: { status: raw.status, statusText: raw.statusText, headers: raw.headers, body: raw.body }, error: null, note };
}

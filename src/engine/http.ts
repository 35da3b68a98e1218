/**
 * One HTTP exchange through Playwright's APIRequestContext, recorded as an
 * Exchange. Never throws for transport problems: they become Exchange.error.
 */
import type { APIRequestContext } from '@playwright/test';
import type { Exchange, RequestRecord, TransportError } from '../checks/types';

export interface SendPolicy {
  requestTimeoutMs: number;
  rateLimitPerSecond: number;
  maxRequests: number;
  ignoreHttpsErrors: boolean;
  /** Retries of a 429 (RFC 6585 §4), each after Retry-After. */
  maxRetriesOn429?: number;
}

/** Per-worker pacing and request budget, shared by every test of the worker. */
export class RequestGate {
  private sent = 0;
  private nextSlot = 0;

  constructor(private readonly policy: Pick<SendPolicy, 'rateLimitPerSecond' | 'maxRequests'>) {}

  get count(): number {
    return this.sent;
  }

  /** Resolves when a request may go; false once the budget is spent. */
  async acquire(): Promise<boolean> {
    if (this.policy.maxRequests > 0 && this.sent >= this.policy.maxRequests) return false;
    this.sent++;
    if (this.policy.rateLimitPerSecond > 0) {
      const now = Date.now();
      const slot = Math.max(now, this.nextSlot);
      this.nextSlot = slot + 1000 / this.policy.rateLimitPerSecond;
      if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
    }
    return true;
  }
}

export function classifyTransportError(message: string): TransportError {
  const text = message.split('\n')[0]!.replace(/^apiRequestContext\.fetch:\s*/, '');
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
            : /HPE_|Parse Error|invalid header|Expected HTTP/i.test(text)
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
  const started = performance.now();
  const retries = policy.maxRetriesOn429 ?? 3;
  for (let attempt = 0; ; attempt++) {
    if (!(await gate.acquire())) {
      return {
        request: record,
        response: null,
        error: { kind: 'budget', message: `request budget of ${policy.maxRequests} spent (MAX_REQUESTS)` },
        durationMs: 0,
      };
    }
    try {
      const response = await request.fetch(record.url, {
        method: record.method,
        headers: record.headers,
        ...(record.body !== undefined ? { data: record.body } : {}),
        timeout: policy.requestTimeoutMs,
        maxRedirects: 0,
        failOnStatusCode: false,
        ignoreHTTPSErrors: policy.ignoreHttpsErrors,
      });
      const headers = response.headersArray();
      if (response.status() === 429 && attempt < retries) {
        const wait = retryAfterMs(headers.find((h) => h.name.toLowerCase() === 'retry-after')?.value);
        // A server asking for more than a minute is answered by failing, not by stalling the run.
        if (wait <= 60_000) {
          await response.dispose();
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
      }
      const body = await response.body();
      await response.dispose();
      return {
        request: record,
        response: { status: response.status(), statusText: response.statusText(), headers, body },
        error: null,
        durationMs: performance.now() - started,
      };
    } catch (error) {
      return { request: record, response: null, error: classifyTransportError((error as Error).message), durationMs: performance.now() - started };
    }
  }
}

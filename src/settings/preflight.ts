/**
 * A few cheap read-only probes before any test: the contract's operations
 * without a credential (GET, else OPTIONS: RFC 9110 §9.2.1 safe methods) and a
 * path that cannot exist, compared. They tell a target that is unreachable, has
 * a TLS problem, redirects, serves HTML, or does not know the contract's paths.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { ContractPlan, OperationSpec } from '../contract/model';

export interface Probe {
  url: string;
  method: string;
  status?: number;
  contentType?: string;
  location?: string;
  /** `<title>` of an HTML answer. */
  title?: string;
  error?: { code: string; message: string };
}

export type Diagnosis =
  | { kind: 'ok'; probes: Probe[] }
  | { kind: 'unreachable'; probes: Probe[]; code: string; message: string }
  | { kind: 'tls'; probes: Probe[]; code: string; message: string }
  | { kind: 'redirect'; probes: Probe[]; status: number; location: string }
  | { kind: 'html'; probes: Probe[]; title: string | null }
  /** Every operation answered like a path that cannot exist, and BASE_URL lacks the contract server's path. */
  | { kind: 'wrong-base-path'; probes: Probe[]; serverPath: string; suggested: string }
  /** Every operation answered like a path that cannot exist, though BASE_URL has the contract server's path. */
  | { kind: 'unknown-paths'; probes: Probe[] };

export interface ProbeOptions {
  ignoreHttpsErrors: boolean;
  caFile: string | null;
  timeoutMs: number;
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|EPROTO/i;

function probe(url: string, method: string, options: ProbeOptions): Promise<Probe> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const done = (p: Omit<Probe, 'url' | 'method'>) => resolve({ url, method, ...p });
    const req = client.request(
      target,
      { method, headers: { accept: 'application/json' }, ...(target.protocol === 'https:' ? { rejectUnauthorized: !options.ignoreHttpsErrors, ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}) } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 16_384) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const contentType = String(res.headers['content-type'] ?? '');
          const title = /<title>([^<]*)<\/title>/i.exec(Buffer.concat(chunks).toString('utf8'))?.[1]?.trim();
          done({ status: res.statusCode ?? 0, contentType, ...(res.headers.location ? { location: res.headers.location } : {}), ...(title ? { title } : {}) });
        });
        res.on('error', (e: NodeJS.ErrnoException) => done({ error: { code: e.code ?? 'ERROR', message: e.message } }));
      },
    );
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { code: 'TIMEOUT' })), options.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => done({ error: { code: e.code ?? 'ERROR', message: e.message } }));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

/** A concrete path for an operation: parameters filled with a harmless word. */
function concretePath(op: OperationSpec): string {
  return op.path.replace(/\{[^}]+\}/g, 'contract-suite-probe');
}

/** Up to three operations, those without path parameters and with GET first: they route most plainly. */
function probeTargets(plan: ContractPlan, operations: Set<string>): Array<{ path: string; method: string }> {
  const ops = plan.operations.filter((o) => operations.has(o.operationId));
  const rank = (o: OperationSpec) => (o.path.includes('{') ? 2 : 0) + (o.method === 'GET' ? 0 : 1);
  const chosen = [...ops].sort((a, b) => rank(a) - rank(b)).slice(0, 3);
  return chosen.map((o) => ({ path: concretePath(o), method: o.method === 'GET' || o.method === 'HEAD' ? o.method : 'OPTIONS' }));
}

/** The path of the contract's first server (`/metal/v1` of `https://api.example.com/metal/v1`), if it has one. */
export function serverPath(plan: Pick<ContractPlan, 'servers'>): string {
  const first = plan.servers[0];
  if (!first || first.includes('{')) return '';
  try {
    return new URL(first, 'http://relative.invalid').pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

export async function preflight(baseURL: string, plan: ContractPlan, operations: Set<string>, options: ProbeOptions): Promise<Diagnosis> {
  const base = baseURL.replace(/\/+$/, '');
  const controlUrl = `${base}/contract-suite-no-such-path-${randomBytes(6).toString('hex')}`;
  const targets = probeTargets(plan, operations);
  const [controlProbe, ...ops] = await Promise.all([probe(controlUrl, 'GET', options), ...targets.map((t) => probe(`${base}${t.path}`, t.method, options))]);
  const probes = [controlProbe!, ...ops];
  const isTls = (p: Probe) => !!p.error && (TLS_CODES.test(p.error.code) || TLS_CODES.test(p.error.message));
  const tls = probes.find(isTls);
  if (tls?.error) return { kind: 'tls', probes, code: tls.error.code, message: tls.error.message };
  // One probe may be cut off or time out on a server that answers the rest: only when none answers is the target unreachable.
  if (probes.every((p) => p.error)) return { kind: 'unreachable', probes, code: controlProbe!.error!.code, message: controlProbe!.error!.message };
  const answeredOps = ops.filter((p) => !p.error);
  const control = controlProbe!.error ? null : controlProbe!;
  const judged = answeredOps.length ? answeredOps : [control!];
  if (judged.every((p) => p.status! >= 300 && p.status! < 400 && p.location)) return { kind: 'redirect', probes, status: judged[0]!.status!, location: judged[0]!.location! };
  // An API may answer OPTIONS, or a path that cannot exist, with an HTML error page (RFC 9110 leaves such content open);
  // operations read with GET in HTML, or a made-up path served 2xx HTML (a catch-all web app), are not this API.
  const gets = answeredOps.filter((p) => p.method === 'GET' || p.method === 'HEAD');
  const isHtml = (p: Probe) => /text\/html/i.test(p.contentType ?? '');
  const catchAll = control !== null && control.status! >= 200 && control.status! < 300 && isHtml(control);
  if (gets.length ? gets.every(isHtml) : catchAll) return { kind: 'html', probes, title: [...gets, ...(control ? [control] : [])].find((p) => p.title)?.title ?? null };
  const likeControl = (p: Probe) => control !== null && p.status === control.status && (p.contentType ?? '') === (control.contentType ?? '');
  if (control && answeredOps.length && control.status === 404 && answeredOps.every(likeControl)) {
    const prefix = serverPath(plan);
    const path = new URL(base).pathname.replace(/\/+$/, '');
    if (prefix && !path.endsWith(prefix)) return { kind: 'wrong-base-path', probes, serverPath: prefix, suggested: `${base}${prefix}` };
    return { kind: 'unknown-paths', probes };
  }
  return { kind: 'ok', probes };
}

/** One quick request before any test: a target that cannot be reached ends the run at once. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { TargetConfig } from './config';

const PREFLIGHT_TIMEOUT_MS = 4000;

/** Resolves with the HTTP status of GET baseURL, rejects with a one-line reason. */
export function probe(baseURL: string, target: Pick<TargetConfig, 'ignoreHttpsErrors' | 'caFile'>): Promise<number> {
  const url = new URL(baseURL);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'GET',
        ...(url.protocol === 'https:'
          ? { rejectUnauthorized: !target.ignoreHttpsErrors, ...(target.caFile ? { ca: readFileSync(target.caFile) } : {}) }
          : {}),
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${PREFLIGHT_TIMEOUT_MS} ms`)), PREFLIGHT_TIMEOUT_MS);
    req.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ? `${error.code}: ${error.message}` : error.message)));
    req.on('close', () => clearTimeout(timer));
    req.end();
  });
}

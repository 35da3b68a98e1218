/**
 * The contract plan is cached by content: parsing and validating with
 * swagger-parser costs a few hundred milliseconds a run, and the plan only
 * changes when the contract files or this loader change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contentHash, parseContract, readContract } from './load';
import type { ContractPlan } from './model';

/** The conventional place for tool caches; `npm ci` starts it afresh. */
const CACHE_DIR = resolve(__dirname, '../../node_modules/.cache/contract-suite');
const LOADER_SOURCES = ['load.ts', 'schema-convert.ts', 'json-pointer.ts', 'model.ts', 'plan-cache.ts'];
/** Libraries whose output is in the plan: a new version may parse or convert differently. */
const LOADER_LIBRARIES = ['@apidevtools/swagger-parser', '@openapi-contrib/openapi-schema-to-json-schema'];

interface CacheEntry {
  files: string[];
  sha256: string;
  plan: ContractPlan;
}

function loaderHash(): string {
  const hash = createHash('sha256');
  for (const name of LOADER_SOURCES) {
    const source = join(__dirname, name);
    if (existsSync(source)) hash.update(readFileSync(source));
  }
  for (const name of LOADER_LIBRARIES) {
    try {
      hash.update(`${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version}`);
    } catch {
      hash.update(`${name}@?`);
    }
  }
  return hash.digest('hex');
}

function cacheFile(file: string): string {
  const key = createHash('sha256').update(loaderHash()).update(file).update(readContract(file)).digest('hex').slice(0, 32);
  return join(CACHE_DIR, `${key}.json`);
}

function cached(entryFile: string): ContractPlan | null {
  if (!existsSync(entryFile)) return null;
  try {
    const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as CacheEntry;
    // A referenced file may have changed while the root did not.
    return contentHash(entry.files) === entry.sha256 ? entry.plan : null;
  } catch {
    return null;
  }
}

export async function loadContract(path: string): Promise<ContractPlan> {
  const file = resolve(path);
  const entryFile = cacheFile(file);
  const hit = cached(entryFile);
  if (hit) return hit;
  const { plan, files } = await parseContract(file);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(entryFile, JSON.stringify({ files, sha256: plan.sha256, plan } satisfies CacheEntry));
  } catch {
    // A read-only checkout still runs; it parses every time.
  }
  return plan;
}

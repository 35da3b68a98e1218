/**
 * The contract plan is cached by content: parsing and validating with
 * swagger-parser costs a few hundred milliseconds a run, and the plan only
 * changes when the contract files or this loader change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContractError } from './errors';
import { contentHash, parseContract } from './load';
import type { ContractPlan } from './model';

/** The conventional place for tool caches; `npm ci` starts it afresh. */
const CACHE_DIR = resolve(__dirname, '../../node_modules/.cache/contract-suite');
const LOADER_SOURCES = ['load.ts', 'schema-convert.ts', 'model.ts', 'plan-cache.ts'];

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
  return hash.digest('hex');
}

function cacheFile(file: string): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ContractError(file, code === 'ENOENT' ? 'file not found' : `cannot be read (${(error as Error).message})`);
  }
  const key = createHash('sha256').update(loaderHash()).update(file).update(bytes).digest('hex').slice(0, 32);
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
  const hit = entryFile ? cached(entryFile) : null;
  if (hit) return hit;
  const { plan, files } = await parseContract(file);
  if (entryFile) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(entryFile, JSON.stringify({ files, sha256: plan.sha256, plan } satisfies CacheEntry));
    } catch {
      // A read-only checkout still runs; it parses every time.
    }
  }
  return plan;
}

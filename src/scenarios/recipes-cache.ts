/**
 * Resolved recipes, cached by content like the contract plan (src/contract/plan-cache.ts):
 * reading and checking them (YAML, the recipes schema in Ajv, every reference against the
 * contract) costs more than the rest of global setup, and the result only changes with the
 * recipe files, the contract, or the code and libraries that resolve them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ContractPlan } from '../contract/model';
import type { RecipeSources } from './recipes-file';
import type { Recipes } from './types';

/** Beside the plan cache; `npm ci` starts it afresh. */
const CACHE_DIR = resolve(__dirname, '../../node_modules/.cache/contract-suite');
/** Every source file under these folders of src/ is in the key: resolving may use any of them, today or after a change. */
const CODE_DIRS = ['scenarios', 'contract', 'settings'].map((d) => resolve(__dirname, '..', d));
const SCHEMA = resolve(__dirname, '../../contracts/recipes.schema.json');
/** Libraries whose output is in the result: a new version may parse or report differently. */
const LIBRARIES = ['yaml', 'ajv'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function cacheFile(sources: RecipeSources, plan: ContractPlan): string {
  const hash = createHash('sha256').update(`recipes\0${process.cwd()}\0${plan.file}\0${plan.sha256}\0`);
  for (const file of [sources.recipesFile, sources.overridesFile]) {
    if (file) hash.update(`${file}\0`).update(readFileSync(file));
    else hash.update('-\0');
  }
  for (const file of [...CODE_DIRS.flatMap(sourceFiles), SCHEMA]) hash.update(`${file}\0`).update(readFileSync(file));
  for (const name of LIBRARIES) hash.update(`${name}@${(JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version}`);
  return join(CACHE_DIR, `recipes-${hash.digest('hex').slice(0, 32)}.json`);
}

/** resolveRecipes, or its result from an earlier run with the same inputs. Problems are never cached: they are reported afresh. */
export function loadRecipes(sources: RecipeSources, plan: ContractPlan): Recipes {
  let entry: string | null = null;
  try {
    entry = cacheFile(sources, plan);
    return JSON.parse(readFileSync(entry, 'utf8')) as Recipes;
  } catch {
    // No entry yet, or an input that cannot be read: resolving says why, if anything is wrong.
  }
  // Loaded only here: a warm run never imports the YAML parser or Ajv for the recipes.
  const { resolveRecipes } = require('./recipes') as typeof import('./recipes');
  const recipes = resolveRecipes(sources, plan);
  if (entry) {
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      writeFileSync(entry, JSON.stringify(recipes));
    } catch {
      // A read-only checkout still runs; it resolves every time.
    }
  }
  return recipes;
}

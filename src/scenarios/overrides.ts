/** SCENARIO_OVERRIDES: a JSON file that adapts recipes to a target without code changes. */
import { readFileSync } from 'node:fs';
import { IDENTITY_NAMES, type IdentityName } from '../target/identities';
import { ConfigError } from '../target/config';
import type { ScenarioOverride } from './catalogue';

export function loadOverrides(file: string | null): Record<string, ScenarioOverride> {
  if (!file) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`SCENARIO_OVERRIDES=${file}: ${(error as Error).message}`]);
  }
  const scenarios = (raw as { scenarios?: unknown })?.scenarios;
  if (!scenarios || typeof scenarios !== 'object' || Array.isArray(scenarios)) {
    throw new ConfigError([`SCENARIO_OVERRIDES=${file}: expected {"scenarios": {"<operationId> <status>": {...}}}`]);
  }
  const problems: string[] = [];
  const out: Record<string, ScenarioOverride> = {};
  for (const [key, value] of Object.entries(scenarios as Record<string, unknown>)) {
    const at = `SCENARIO_OVERRIDES ${key}`;
    if (!/^\S+ (\d{3}|[1-5]XX|default)$/.test(key)) problems.push(`${at}: key must be "<operationId> <status>" (status as documented: 404, 4XX or default)`);
    const o = (value ?? {}) as Record<string, unknown>;
    for (const field of Object.keys(o)) {
      if (!['identity', 'path', 'skip', 'writes', 'recipe'].includes(field)) problems.push(`${at}: unknown field "${field}"`);
    }
    if (o.identity !== undefined && !IDENTITY_NAMES.includes(o.identity as IdentityName)) {
      problems.push(`${at}: identity must be one of ${IDENTITY_NAMES.join(', ')}`);
    }
    if (o.path !== undefined && (typeof o.path !== 'object' || Object.values(o.path as object).some((v) => typeof v !== 'string'))) {
      problems.push(`${at}: path must map parameter names to strings`);
    }
    if (o.skip !== undefined && typeof o.skip !== 'string') problems.push(`${at}: skip must be the reason, a string`);
    if (o.writes !== undefined && typeof o.writes !== 'boolean') problems.push(`${at}: writes must be true or false`);
    out[key] = o as ScenarioOverride;
  }
  if (problems.length) throw new ConfigError(problems);
  return out;
}

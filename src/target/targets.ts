/** TARGETS: several servers in one run, one Playwright project each (JSON file or inline JSON). */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, normaliseBaseUrl } from './config';

export interface NamedTarget {
  name: string;
  baseURL: string;
}

export function readTargetsFile(value: string | undefined): NamedTarget[] {
  if (!value?.trim()) return [];
  const text = value.trim().startsWith('[') ? value : existsSync(value) ? readFileSync(value, 'utf8') : null;
  if (text === null) throw new ConfigError([`TARGETS=${value}: neither a JSON list nor an existing file`]);
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`TARGETS: ${(error as Error).message}`]);
  }
  const valid = Array.isArray(list) && list.length > 0 && list.every((t) => t && typeof t.name === 'string' && typeof t.baseURL === 'string');
  if (!valid) throw new ConfigError(['TARGETS: expected [{"name": "...", "baseURL": "http(s)://..."}, ...]']);
  const problems: string[] = [];
  const targets = (list as NamedTarget[]).map((t) => ({ name: t.name, baseURL: normaliseBaseUrl(t.baseURL, problems) }));
  if (problems.length) throw new ConfigError(problems.map((p) => `TARGETS ${p}`));
  return targets;
}

/** The servers a run judges: BASE_URL, or several at once with TARGETS (a JSON list, inline or in a file). */
import { existsSync, readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import { ConfigError, normaliseBaseUrl } from './config';

export interface NamedTarget {
  name: string;
  baseURL: string;
}

/** A stable name for a target: its host (reports and history follow names, not URLs). */
export function targetName(baseURL: string): string {
  try {
    return new URL(baseURL).host;
  } catch {
    return 'target';
  }
}

/** TARGETS, or BASE_URL named by TARGET_NAME (default: its host). */
export function readTargets(value: string | undefined, baseURL: string | null, name?: string): NamedTarget[] {
  if (!value?.trim()) return baseURL ? [{ name: name?.trim() || targetName(baseURL), baseURL }] : [];
  const inline = value.trim().startsWith('[');
  const where = inline ? 'TARGETS' : `TARGETS=${value}`;
  const text = inline ? value : existsSync(value) ? readFileSync(value, 'utf8') : null;
  if (text === null) throw new ConfigError([`TARGETS=${value}: neither a JSON list nor an existing file`]);
  // Loaded only for TARGETS: a run against BASE_URL or the embedded mock parses nothing.
  const { LineCounter, parseDocument } = require('yaml') as typeof Yaml;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `${where}:${line}:${col}: ${e.message.split('\n')[0]}`;
    }));
  }
  const list = doc.toJS() as unknown;
  const valid = Array.isArray(list) && list.length > 0 && list.every((t) => t && typeof t.name === 'string' && typeof t.baseURL === 'string');
  if (!valid) throw new ConfigError([`${where}: expected [{"name": "...", "baseURL": "http(s)://..."}, ...]`]);
  const problems: string[] = [];
  const targets = (list as NamedTarget[]).map((t) => ({ name: t.name, baseURL: normaliseBaseUrl(t.baseURL, problems, `${where} ${t.name}`) }));
  const duplicate = targets.map((t) => t.name).find((n, i, all) => all.indexOf(n) !== i);
  if (duplicate) problems.push(`${where}: the name "${duplicate}" is used twice; reports tell targets apart by name`);
  if (problems.length) throw new ConfigError(problems);
  return targets;
}

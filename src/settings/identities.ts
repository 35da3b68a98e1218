/**
 * Identity values: read from the environment by the names the recipes declare.
 * Against the embedded mock (or TARGET=mock) the mock's own table fills the gaps;
 * it is plain data, so this layer never imports the mock's code.
 */
import { MOCK_IDENTITIES } from '../mock/identities';
import type { Env } from './config';

export function identityValues(names: Iterable<string>, env: Env, kind: 'mock' | 'remote'): Record<string, string> {
  const mock: Record<string, string> = MOCK_IDENTITIES;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name]?.trim() || (kind === 'mock' ? mock[name] : undefined);
    if (value) out[name] = value;
  }
  return out;
}

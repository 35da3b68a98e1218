/**
 * Values recipes ask for: generated time-based codes (RFC 6238), fresh random
 * values of a schema's format, contract examples, and defaults for required
 * parameters a recipe leaves out.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { base32Decode, codeAt } from './rfc6238';
import type { JsonSchema, ParameterSpec } from '../contract/model';
import { numericBounds as bounds } from '../contract/schema-walk';
import { formatSample, fromPattern } from '../generate/strings';
import type { GeneratorDef } from './types';

export interface Generated {
  value: string;
  /** A current code opens the account: it is masked. An invalid one is harmless. */
  secret: boolean;
}

/** RFC 6238 §5.2: verifiers may accept codes a few steps either side; an invalid code avoids this many. */
export const INVALID_CODE_MARGIN_STEPS = 5;

/** Whether a base32 (RFC 4648) secret is usable by a generator. */
export function isBase32(secret: string): boolean {
  if (!/^[A-Z2-7]+=*$/i.test(secret.replace(/\s/g, ''))) return false;
  return base32Decode(secret).length > 0;
}

export function generate(def: GeneratorDef, secret: string, now = Date.now()): Generated {
  const { digits = 6, period = 30, algorithm = 'SHA1' } = def.rfc6238;
  const code = (at: number) => codeAt(secret, at, digits, period, algorithm);
  if (def.pick !== 'invalid') {
    // RFC 6238 §4: step T = floor(now / X); `offset` steps away is a code of the past (expired) or of the future.
    const offset = def.offset ?? 0;
    const value = code(now + offset * period * 1000);
    if (Math.abs(offset) > INVALID_CODE_MARGIN_STEPS) {
      // Codes repeat by chance (one in 10^digits per step): a far step's code equal to one near now would verify legitimately.
      for (let step = -INVALID_CODE_MARGIN_STEPS; step <= INVALID_CODE_MARGIN_STEPS; step++) {
        if (code(now + step * period * 1000) === value) throw new Error(`the code of ${describeOffset(offset)} equals the code of a step near now, so it is not sent`);
      }
    }
    return { value, secret: true };
  }
  const modulus = 10 ** digits;
  const nearby = new Set<string>();
  for (let step = -INVALID_CODE_MARGIN_STEPS; step <= INVALID_CODE_MARGIN_STEPS; step++) nearby.add(code(now + step * period * 1000));
  let candidate = (Number(code(now)) + Math.floor(modulus / 2)) % modulus;
  const text = (n: number) => String(n).padStart(digits, '0');
  while (nearby.has(text(candidate))) candidate = (candidate + 1) % modulus;
  return { value: text(candidate), secret: false };
}

/** `10 periods ago`, `10 periods ahead`. */
export function describeOffset(offset: number): string {
  const n = Math.abs(offset);
  return offset < 0 ? `${n} period${n === 1 ? '' : 's'} ago` : `${n} period${n === 1 ? '' : 's'} ahead`;
}

/** Milliseconds until the generator's next time step begins (RFC 6238 §4: T = floor(now / X)). */
export function untilNextPeriod(def: GeneratorDef, now = Date.now()): number {
  const period = (def.rfc6238.period ?? 30) * 1000;
  return period - (now % period);
}

function schemaOf(schema: JsonSchema | null): Record<string, unknown> {
  return typeof schema === 'object' && schema !== null ? schema : {};
}

/** A random whole number within the schema's bounds and multipleOf; a large one (unlikely to exist yet) when unbounded. */
function freshInteger(s: Record<string, unknown>): number {
  const { lo, hi } = bounds(s, 1);
  const from = Number.isFinite(lo) ? Math.ceil(lo) : Number.isFinite(hi) ? Math.floor(hi) - 1_000_000 : 100_000;
  const to = Number.isFinite(hi) ? Math.floor(hi) : from + 2_000_000_000;
  let n = to > from ? randomInt(Math.max(from, Number.MIN_SAFE_INTEGER), Math.min(to, from + 2 ** 47) + 1) : from;
  const m = typeof s.multipleOf === 'number' && Number.isInteger(s.multipleOf) && s.multipleOf > 0 ? s.multipleOf : 1;
  if (n % m !== 0) n = Math.ceil(n / m) * m <= to ? Math.ceil(n / m) * m : Math.floor(n / m) * m;
  return n;
}

/** A random string of the schema's length bounds (minLength/maxLength count characters, JSON Schema §6.3). */
function freshString(s: Record<string, unknown>, text: string): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  let out = text;
  while (out.length < min) out += randomBytes(8).toString('hex');
  // Keep the random tail when cutting: it is what makes the value fresh.
  if (out.length > max) out = out.slice(out.length - max);
  return out.length < min ? out.padEnd(min, '0') : out;
}

/** Crypto-strong randomness in [0, 1), for values no server has seen. */
const random = () => randomInt(0, 2 ** 32) / 2 ** 32;

/** A fresh value of a regular expression (generated with randexp), within the schema's length bounds. */
function freshFromPattern(pattern: string, s: Record<string, unknown>): string {
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  const value = fromPattern(pattern, random, max);
  if (value === null) throw new Error(`no value matching /${pattern}/ could be generated`);
  return value;
}

/** A fresh random value of a format, type or pattern, within the schema's bounds: values no server has seen. */
export function fresh(kind: string | { pattern: string }, schema: JsonSchema | null = null): string | number | boolean {
  const s = schemaOf(schema);
  if (typeof kind === 'object') return freshFromPattern(kind.pattern, s);
  if (kind === 'true' && typeof s.pattern === 'string') return freshFromPattern(s.pattern, s);
  const wanted = kind === 'true' ? String(s.format ?? s.type ?? 'string') : kind;
  const formatted = ['uri', 'url', 'uri-reference', 'hostname', 'ipv4', 'ipv6', 'byte'].includes(wanted) ? formatSample(wanted, random) : null;
  if (formatted !== null) return formatted;
  switch (wanted) {
    case 'uuid':
      return randomUUID();
    case 'integer':
    case 'int32':
    case 'int64':
      return freshInteger(s);
    case 'number':
    case 'float':
    case 'double': {
      const { lo, hi } = bounds(s, 0.01);
      if (!Number.isFinite(lo) && !Number.isFinite(hi)) return randomInt(100_000, 2_000_000_000) / 100;
      const from = Number.isFinite(lo) ? lo : hi - 10_000;
      const to = Number.isFinite(hi) ? hi : from + 10_000;
      return Math.min(to, Math.max(from, Math.round((from + Math.random() * (to - from)) * 100) / 100));
    }
    case 'boolean':
      return true;
    case 'email':
      return `suite-${randomBytes(4).toString('hex')}@example.com`;
    case 'date-time':
      return new Date().toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    default:
      return freshString(s, `suite-${randomBytes(6).toString('hex')}`);
  }
}

/** The contract's example for a parameter: its own, its schema's, or the first enum value. */
export function example(p: Pick<ParameterSpec, 'example' | 'schema'>): unknown {
  if (p.example !== undefined) return p.example;
  const s = schemaOf(p.schema);
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  return undefined;
}

/** A value for a required parameter the recipe leaves out: example, default, then a fresh one of its type. */
export function fillIn(p: ParameterSpec): unknown {
  const given = example(p);
  if (given !== undefined) return given;
  const s = schemaOf(p.schema);
  if (s.default !== undefined) return s.default;
  if (s.type === 'array') return [fresh('true', (s.items as JsonSchema | undefined) ?? null)];
  return fresh('true', p.schema);
}
